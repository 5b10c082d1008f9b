import { eq, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../../db/client.js";
import { queryRows } from "../../db/client.js";
import {
  cabinetJson,
  ownEditorialSql,
  type CabinetJson,
} from "../../db/queries/cabinet-json.js";
import { nameClaims } from "../../db/schema.js";
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

/** An active editorial cabinet with its spheres, sorted. */
export type EditorialCabinetRow = Omit<CabinetJson, "kind" | "status">;

/** An editorial cabinet an applicant chose, as stored, whatever its state. */
type ChosenCabinetRow = CabinetJson;

/** Database facts that the checks of an application form need. */
export interface FieldFacts {
  /** The chosen sphere codes that exist and are not retired. */
  knownSpheres: string[];
  /** The organization's own active editorial cabinet. */
  own: EditorialCabinetRow | null;
  /**
   * The editorial cabinet the form names, or null when it names none or an
   * unknown one. Its spheres are left empty because no check uses them.
   */
  chosen: ChosenCabinetRow | null;
}

/**
 * Columns `known_spheres`, `own` and `chosen` of FieldFacts, for the select
 * list of one statement, so that checking a form costs one round trip.
 */
export function fieldFactsColumns(
  organizationOid: string,
  fields: Pick<ApplicationFields, "spheres" | "editorialCabinetId">,
): SQL {
  const codes = sql.join(
    fields.spheres.map((code) => sql`${code}`),
    sql`, `,
  );
  const chosen = fields.editorialCabinetId
    ? sql`(select ${cabinetJson(sql.raw("chosen"), false)} from cabinets chosen
        where chosen.id = ${fields.editorialCabinetId}::uuid)`
    : sql`null::json`;
  return sql`(select coalesce(json_agg(s.code), '[]'::json) from spheres s
      where s.code in (${codes}) and s.retired_at is null) as known_spheres,
    ${ownEditorialSql(organizationOid)} as own,
    ${chosen} as chosen`;
}

export interface FieldFactsRow {
  known_spheres: string[];
  own: ChosenCabinetRow | null;
  chosen: ChosenCabinetRow | null;
}

/** Converts cabinetJson's object to an EditorialCabinetRow with sorted spheres. */
export function editorialRow(row: CabinetJson): EditorialCabinetRow {
  return {
    id: row.id,
    organizationOid: row.organizationOid,
    name: row.name,
    regionCode: row.regionCode,
    typeCode: row.typeCode,
    email: row.email,
    spheres: [...row.spheres].sort(),
  };
}

/** Reads FieldFacts from a row selected with fieldFactsColumns. */
export function toFieldFacts(row: FieldFactsRow): FieldFacts {
  return {
    knownSpheres: row.known_spheres,
    own: row.own ? editorialRow(row.own) : null,
    chosen: row.chosen
      ? {
          ...editorialRow(row.chosen),
          kind: row.chosen.kind,
          status: row.chosen.status,
        }
      : null,
  };
}

/** The organization's own active editorial cabinet, with its spheres. */
export async function findOwnEditorialCabinet(
  db: Executor,
  organizationOid: string,
): Promise<EditorialCabinetRow | undefined> {
  const [row] = await queryRows<{ own: ChosenCabinetRow | null }>(
    db,
    sql`select ${ownEditorialSql(organizationOid)} as own`,
  );
  return row?.own ? editorialRow(row.own) : undefined;
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
  const [row] = await queryRows<FieldFactsRow>(
    db,
    sql`select ${fieldFactsColumns(organizationOid, fields)}`,
  );
  return checkApplicationFields(kind, fields, toFieldFacts(row!));
}

/**
 * Runs the checks of validateApplicationFields on facts already read.
 * Returns the editorial cabinet the application is addressed to, or throws
 * ValidationError naming each field.
 */
export function checkApplicationFields(
  kind: CabinetKind,
  fields: ApplicationFields,
  facts: FieldFacts,
): EditorialCabinetRow | null {
  const problems: FieldProblem[] = [];
  const typeInfo = CABINET_TYPE_INFO[fields.type];
  if (!typeAllowsKind(fields.type, kind)) {
    problems.push({
      path: "type",
      message: `Тип «${typeInfo.name}» доступен только для рабочего кабинета: для кабинета редакции выберите «РОИВ» или «ОМСУ»`,
    });
  }

  const knownCodes = new Set(facts.knownSpheres);
  const unknown = fields.spheres.filter((code) => !knownCodes.has(code));
  if (unknown.length > 0) {
    problems.push({
      path: "spheres",
      message:
        unknown.length === 1
          ? `Сферы «${unknown[0]}» нет в справочнике или она больше не используется: выберите сферы из списка`
          : `Сфер ${unknown.map((code) => `«${code}»`).join(", ")} нет в справочнике или они больше не используются: выберите сферы из списка`,
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
    editorial = resolveEditorialCabinet(fields, facts, problems);
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return editorial;
}

function resolveEditorialCabinet(
  fields: ApplicationFields,
  facts: FieldFacts,
  problems: FieldProblem[],
): EditorialCabinetRow | null {
  const { own } = facts;
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
  const row = facts.chosen;
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

/** Creates the 409 on the name field for a name that another cabinet or open application uses. */
export function nameTakenError(): ConflictError {
  return new ConflictError(NAME_TAKEN, "name_taken", [
    { path: "name", message: NAME_TAKEN },
  ]);
}

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
    throw nameTakenError();
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
