import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Executor } from "../../db/client.js";
import { queryRows } from "../../db/client.js";
import {
  cabinetSpheres,
  cabinets,
  nameClaims,
  spheres,
} from "../../db/schema.js";
import {
  CABINET_TYPE_INFO,
  typeAllowsKind,
  type CabinetKind,
} from "../../domain/cabinets.js";
import type { ApplicationFields } from "../../domain/application-form.js";
import { nameKey } from "../../domain/text.js";
import {
  ConflictError,
  ValidationError,
  type FieldProblem,
} from "../errors.js";

export interface EditorialCabinetRow {
  id: string;
  organizationOid: string;
  name: string;
  regionCode: string;
  typeCode: string;
  email: string;
  spheres: string[];
}

/** The organization's own active editorial cabinet, with its spheres. */
export async function findOwnEditorialCabinet(
  db: Executor,
  organizationOid: string,
): Promise<EditorialCabinetRow | undefined> {
  const [row] = await db
    .select({
      id: cabinets.id,
      organizationOid: cabinets.organizationOid,
      name: cabinets.name,
      regionCode: cabinets.regionCode,
      typeCode: cabinets.typeCode,
      email: cabinets.email,
    })
    .from(cabinets)
    .where(
      and(
        eq(cabinets.organizationOid, organizationOid),
        eq(cabinets.kind, "editorial"),
        eq(cabinets.status, "active"),
      ),
    );
  if (!row) return undefined;
  const sphereRows = await db
    .select({ code: cabinetSpheres.sphereCode })
    .from(cabinetSpheres)
    .where(eq(cabinetSpheres.cabinetId, row.id));
  return { ...row, spheres: sphereRows.map((sphere) => sphere.code).sort() };
}

/**
 * Checks the fields against the dictionaries and the binding rules, and
 * returns the editorial cabinet the application is addressed to (null for an
 * editorial-cabinet application). Throws ValidationError naming each field.
 */
export async function validateApplicationFields(
  db: Executor,
  kind: CabinetKind,
  organizationOid: string,
  fields: ApplicationFields,
): Promise<EditorialCabinetRow | null> {
  const problems: FieldProblem[] = [];
  const typeInfo = CABINET_TYPE_INFO[fields.type];
  if (!typeAllowsKind(fields.type, kind)) {
    problems.push({
      path: "type",
      message: `Тип «${typeInfo.name}» доступен только для рабочего кабинета: для кабинета редакции выберите «РОИВ» или «ОМСУ»`,
    });
  }

  const known = await db
    .select({ code: spheres.code })
    .from(spheres)
    .where(
      and(inArray(spheres.code, fields.spheres), isNull(spheres.retiredAt)),
    );
  const knownCodes = new Set(known.map((row) => row.code));
  const unknown = fields.spheres.filter((code) => !knownCodes.has(code));
  if (unknown.length > 0) {
    problems.push({
      path: "spheres",
      message: `Сферы ${unknown.map((code) => `«${code}»`).join(", ")} нет в справочнике или она больше не используется: выберите сферы из списка`,
    });
  }

  let editorial: EditorialCabinetRow | null = null;
  if (kind === "editorial") {
    if (fields.editorialCabinetId) {
      problems.push({
        path: "editorialCabinetId",
        message:
          "Кабинет редакции не привязывается к другой редакции: оставьте поле «Редакция» пустым",
      });
    }
  } else {
    editorial = await resolveEditorialCabinet(
      db,
      organizationOid,
      fields,
      problems,
    );
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return editorial;
}

async function resolveEditorialCabinet(
  db: Executor,
  organizationOid: string,
  fields: ApplicationFields,
  problems: FieldProblem[],
): Promise<EditorialCabinetRow | null> {
  const own = await findOwnEditorialCabinet(db, organizationOid);
  if (own) {
    // The fields come from the organization's own editorial cabinet and are locked.
    const locked: [keyof ApplicationFields, boolean][] = [
      ["region", fields.region === own.regionCode],
      ["type", fields.type === own.typeCode],
      ["editorialCabinetId", fields.editorialCabinetId === own.id],
      ["spheres", [...fields.spheres].sort().join() === own.spheres.join()],
    ];
    for (const [path, matches] of locked) {
      if (!matches) {
        problems.push({
          path,
          message: `Поле заполнено по кабинету редакции «${own.name}» вашей организации и не может быть изменено: обновите страницу`,
        });
      }
    }
    return own;
  }
  const rule = CABINET_TYPE_INFO[fields.type].editorialRule;
  if (rule === "own") {
    problems.push({
      path: "editorialCabinetId",
      message: `Для типа «${CABINET_TYPE_INFO[fields.type].name}» рабочий кабинет привязывается к кабинету редакции вашей организации, а его ещё нет: сначала подайте заявку на кабинет редакции`,
    });
    return null;
  }
  if (!fields.editorialCabinetId) {
    problems.push({
      path: "editorialCabinetId",
      message:
        "Выберите редакцию органа, в ведении которого находится ваша организация",
    });
    return null;
  }
  const [row] = await db
    .select({
      id: cabinets.id,
      organizationOid: cabinets.organizationOid,
      name: cabinets.name,
      regionCode: cabinets.regionCode,
      typeCode: cabinets.typeCode,
      email: cabinets.email,
      kind: cabinets.kind,
      status: cabinets.status,
    })
    .from(cabinets)
    .where(eq(cabinets.id, fields.editorialCabinetId));
  const fits =
    row &&
    row.kind === "editorial" &&
    row.status === "active" &&
    row.regionCode === fields.region &&
    row.typeCode === rule.type;
  if (!fits) {
    problems.push({
      path: "editorialCabinetId",
      message: `Выбранная редакция не подходит: выберите действующий кабинет редакции ${rule.type === "roiv" ? "РОИВ" : "ОМСУ"} выбранного региона`,
    });
    return null;
  }
  return { ...row, spheres: [] };
}

/** The scope in which a cabinet name must be unique. */
export function nameScope(
  kind: CabinetKind,
  regionCode: string,
  editorialCabinetId: string | null,
): string {
  return kind === "work"
    ? `editorial:${editorialCabinetId}`
    : `region:${regionCode}`;
}

const NAME_TAKEN =
  "Кабинет или заявка с таким названием уже есть у этой редакции: введите другое название";

/**
 * Claims the name for the application, replacing its previous claim. Throws
 * ConflictError on the name field when another cabinet or open application
 * under the same editorial cabinet uses it.
 */
export async function claimName(
  tx: Executor,
  applicationId: string,
  scope: string,
  name: string,
): Promise<void> {
  const key = nameKey(name);
  const [holder] = await queryRows<{ application_id: string }>(
    tx,
    sql`select application_id from name_claims where scope = ${scope} and name_key = ${key}`,
  );
  if (holder && holder.application_id !== applicationId) {
    throw new ConflictError(NAME_TAKEN, "name_taken", [
      { path: "name", message: NAME_TAKEN },
    ]);
  }
  if (holder) return;
  await tx
    .delete(nameClaims)
    .where(eq(nameClaims.applicationId, applicationId));
  // A concurrent claim of the same name fails on the primary key here.
  await tx.insert(nameClaims).values({ scope, nameKey: key, applicationId });
}

export async function releaseName(
  tx: Executor,
  applicationId: string,
): Promise<void> {
  await tx
    .delete(nameClaims)
    .where(eq(nameClaims.applicationId, applicationId));
}
