import { z } from "zod";
import {
  applicationFieldsSchema,
  type ApplicationFields,
  type ApplicationFieldsInput,
} from "../../../domain/application-form";
import type { CabinetKind } from "../../../domain/cabinets";
import type { ApiProblem } from "../../api/client";
import type { OwnEditorialCabinet } from "../../api/applicant";

export type FormValues = {
  name: string;
  region: string;
  type: string;
  editorialCabinetId: string | null;
  spheres: string[];
  email: string;
};

export type FieldName = keyof FormValues;

/** The form's fields in screen order, which the error summary follows. */
export const FIELD_ORDER: FieldName[] = [
  "name",
  "region",
  "type",
  "editorialCabinetId",
  "spheres",
  "email",
];

/** The id of the control that a summary link moves focus to. */
export const FIELD_IDS: Record<FieldName, string> = {
  name: "field-name",
  region: "field-region",
  type: "field-type",
  editorialCabinetId: "field-editorial",
  spheres: "field-spheres",
  email: "field-email",
};

export const EDITORIAL_REQUIRED =
  "Выберите редакцию органа, в ведении которого находится ваша организация";

/**
 * The shared Zod schema of the fields, plus the rule that a work cabinet
 * names its editorial cabinet (which the server checks against the
 * database).
 */
export function formSchema(kind: CabinetKind) {
  if (kind === "editorial") return applicationFieldsSchema;
  return applicationFieldsSchema.extend({
    editorialCabinetId: z
      .string({ error: EDITORIAL_REQUIRED })
      .min(1, { message: EDITORIAL_REQUIRED })
      .uuid({ message: "Выберите редакцию из списка" }),
  });
}

export type FormOutput = ApplicationFields;
export type FormInput = ApplicationFieldsInput;

/** Values the form starts from, with the locked fields of the own editorial cabinet. */
export function initialValues(
  base: Partial<FormValues>,
  locked: OwnEditorialCabinet | null,
): FormValues {
  const values: FormValues = {
    name: base.name ?? "",
    region: base.region ?? "",
    type: base.type ?? "",
    editorialCabinetId: base.editorialCabinetId ?? null,
    spheres: base.spheres ?? [],
    email: base.email ?? "",
  };
  return locked ? { ...values, ...lockedValues(locked) } : values;
}

export function lockedValues(locked: OwnEditorialCabinet) {
  return {
    region: locked.regionCode,
    type: locked.typeCode,
    editorialCabinetId: locked.id,
    spheres: [...locked.spheres],
  };
}

/**
 * Splits the server's problems into field messages and messages of the
 * whole form. A path such as `spheres.0` belongs to `spheres`.
 */
export function splitProblems(details: ApiProblem[]): {
  fields: Partial<Record<FieldName, string>>;
  general: string[];
} {
  const fields: Partial<Record<FieldName, string>> = {};
  const general: string[] = [];
  for (const detail of details) {
    const field = detail.path.split(".")[0] as FieldName;
    if ((FIELD_ORDER as string[]).includes(field)) {
      fields[field] ??= detail.message;
    } else {
      general.push(detail.message);
    }
  }
  return { fields, general };
}
