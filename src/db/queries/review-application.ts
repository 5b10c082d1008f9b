import { sql } from "drizzle-orm";
import type { ApplicationState } from "../../domain/states.js";
import type { Executor } from "../client.js";
import { queryRows } from "../client.js";

export interface NamedCode {
  code: string;
  name: string;
}

export interface PersonSummary {
  oid: string;
  name: string;
}

export interface RevisionFields {
  name: string;
  region: NamedCode;
  type: NamedCode;
  editorialCabinet: { id: string; name: string } | null;
  spheres: NamedCode[];
  email: string;
}

export interface FieldChange {
  field: keyof RevisionFields;
  /** The field's label on the application form. */
  label: string;
  before: string;
  after: string;
}

export interface RevisionView {
  number: number;
  submittedAt: string;
  submittedBy: PersonSummary;
  fields: RevisionFields;
  /** Differences from the previous revision; empty for the first one. */
  changes: FieldChange[];
}

export interface DecisionView {
  revision: number;
  decision: "approved" | "rejected";
  reason: string | null;
  decidedBy: PersonSummary;
  decidedAt: string;
}

export interface AuditView {
  id: number;
  action: string;
  occurredAt: string;
  actor: PersonSummary | null;
  revision: number | null;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
}

export interface ApplicationHeader {
  id: string;
  reference: string;
  kind: "editorial" | "work";
  state: ApplicationState;
  revision: number;
  organizationOid: string;
  applicantOid: string;
  regionCode: string;
  editorialCabinetId: string | null;
  cabinetId: string | null;
  rejectionReason: string | null;
  createdAt: string;
  queuedAt: string;
}

export interface ApplicationReview {
  application: ApplicationHeader;
  organization: {
    oid: string;
    fullName: string;
    shortName: string;
    ogrn: string;
  };
  applicant: {
    oid: string;
    lastName: string;
    firstName: string;
    middleName: string | null;
    email: string | null;
    mobile: string | null;
  };
  revisions: RevisionView[];
  decisions: DecisionView[];
  history: AuditView[];
}

const FIELD_LABELS: Record<keyof RevisionFields, string> = {
  name: "Название кабинета",
  region: "Регион",
  type: "Тип кабинета",
  editorialCabinet: "Редакция",
  spheres: "Сферы",
  email: "Электронная почта",
};

/** ISO 8601 in UTC with milliseconds, the same from PGlite and node-postgres. */
const iso = (column: string) =>
  sql.raw(
    `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  );

const personName = (alias: string) =>
  sql.raw(
    `concat_ws(' ', ${alias}.last_name, ${alias}.first_name, ${alias}.middle_name)`,
  );

function displayValue(
  field: keyof RevisionFields,
  fields: RevisionFields,
): string {
  switch (field) {
    case "name":
    case "email":
      return fields[field];
    case "region":
    case "type":
      return fields[field].name;
    case "editorialCabinet":
      return fields.editorialCabinet?.name ?? "—";
    case "spheres":
      return fields.spheres.map((sphere) => sphere.name).join(", ");
  }
}

/** Lists the fields whose values differ between two revisions. */
export function diffRevisions(
  previous: RevisionFields,
  current: RevisionFields,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of Object.keys(FIELD_LABELS) as (keyof RevisionFields)[]) {
    const before = displayValue(field, previous);
    const after = displayValue(field, current);
    const same =
      field === "spheres"
        ? previous.spheres.map((s) => s.code).join() ===
          current.spheres.map((s) => s.code).join()
        : field === "editorialCabinet"
          ? previous.editorialCabinet?.id === current.editorialCabinet?.id
          : before === after;
    if (!same)
      changes.push({ field, label: FIELD_LABELS[field], before, after });
  }
  return changes;
}

interface HeaderRow {
  id: string;
  reference: string;
  kind: "editorial" | "work";
  state: ApplicationState;
  revision: number;
  organization_oid: string;
  applicant_oid: string;
  region_code: string;
  editorial_cabinet_id: string | null;
  cabinet_id: string | null;
  rejection_reason: string | null;
  created_at: string;
  queued_at: string;
  org_full_name: string;
  org_short_name: string;
  org_ogrn: string;
  last_name: string;
  first_name: string;
  middle_name: string | null;
  email: string | null;
  mobile: string | null;
}

/** The application's header row, or undefined; enough to check review rights. */
export async function findApplicationHeader(
  db: Executor,
  applicationId: string,
): Promise<ApplicationHeader | undefined> {
  const [row] = await loadHeaderRows(db, applicationId);
  return row ? toHeader(row) : undefined;
}

async function loadHeaderRows(db: Executor, applicationId: string) {
  return queryRows<HeaderRow>(
    db,
    sql`select a.id, a.reference, a.kind, a.state, a.revision,
      a.organization_oid, a.applicant_oid, a.region_code,
      a.editorial_cabinet_id, a.cabinet_id, a.rejection_reason,
      ${iso("a.created_at")} as created_at, ${iso("a.queued_at")} as queued_at,
      o.full_name as org_full_name, o.short_name as org_short_name, o.ogrn as org_ogrn,
      p.last_name, p.first_name, p.middle_name, p.email, p.mobile
    from applications a
    join organizations o on o.oid = a.organization_oid
    join persons p on p.oid = a.applicant_oid
    where a.id = ${applicationId}::uuid`,
  );
}

function toHeader(row: HeaderRow): ApplicationHeader {
  return {
    id: row.id,
    reference: row.reference,
    kind: row.kind,
    state: row.state,
    revision: row.revision,
    organizationOid: row.organization_oid,
    applicantOid: row.applicant_oid,
    regionCode: row.region_code,
    editorialCabinetId: row.editorial_cabinet_id,
    cabinetId: row.cabinet_id,
    rejectionReason: row.rejection_reason,
    createdAt: row.created_at,
    queuedAt: row.queued_at,
  };
}

interface RevisionRow {
  id: string;
  number: number;
  name: string;
  region_code: string;
  region_name: string;
  type_code: string;
  type_name: string;
  editorial_cabinet_id: string | null;
  editorial_cabinet_name: string | null;
  email: string;
  submitted_by: string;
  submitter_name: string;
  created_at: string;
}

/** Every revision in order, each with its spheres and its changes. */
export async function loadRevisions(
  db: Executor,
  applicationId: string,
): Promise<RevisionView[]> {
  const rows = await queryRows<RevisionRow>(
    db,
    sql`select v.id, v.number, v.name, v.region_code, r.name as region_name,
      v.type_code, t.name as type_name,
      v.editorial_cabinet_id, e.name as editorial_cabinet_name,
      v.email, v.submitted_by, ${personName("p")} as submitter_name,
      ${iso("v.created_at")} as created_at
    from application_revisions v
    join regions r on r.code = v.region_code
    join cabinet_types t on t.code = v.type_code
    join persons p on p.oid = v.submitted_by
    left join cabinets e on e.id = v.editorial_cabinet_id
    where v.application_id = ${applicationId}::uuid
    order by v.number`,
  );
  const sphereRows = await queryRows<{
    revision_id: string;
    code: string;
    name: string;
  }>(
    db,
    sql`select rs.revision_id, s.code, s.name
    from revision_spheres rs
    join application_revisions v on v.id = rs.revision_id
    join spheres s on s.code = rs.sphere_code
    where v.application_id = ${applicationId}::uuid
    order by s.name`,
  );
  const views: RevisionView[] = [];
  for (const row of rows) {
    const fields: RevisionFields = {
      name: row.name,
      region: { code: row.region_code, name: row.region_name },
      type: { code: row.type_code, name: row.type_name },
      editorialCabinet: row.editorial_cabinet_id
        ? {
            id: row.editorial_cabinet_id,
            name: row.editorial_cabinet_name ?? "",
          }
        : null,
      spheres: sphereRows
        .filter((sphere) => sphere.revision_id === row.id)
        .map((sphere) => ({ code: sphere.code, name: sphere.name })),
      email: row.email,
    };
    const previous = views[views.length - 1];
    views.push({
      number: row.number,
      submittedAt: row.created_at,
      submittedBy: { oid: row.submitted_by, name: row.submitter_name },
      fields,
      changes: previous ? diffRevisions(previous.fields, fields) : [],
    });
  }
  return views;
}

/** The decisions, oldest first. */
export async function loadDecisions(
  db: Executor,
  applicationId: string,
): Promise<DecisionView[]> {
  const rows = await queryRows<{
    revision: number;
    decision: "approved" | "rejected";
    reason: string | null;
    decided_by: string;
    decider_name: string;
    created_at: string;
  }>(
    db,
    sql`select d.revision, d.decision, d.reason, d.decided_by,
      ${personName("p")} as decider_name, ${iso("d.created_at")} as created_at
    from application_decisions d
    join persons p on p.oid = d.decided_by
    where d.application_id = ${applicationId}::uuid
    order by d.created_at, d.id`,
  );
  return rows.map((row) => ({
    revision: row.revision,
    decision: row.decision,
    reason: row.reason,
    decidedBy: { oid: row.decided_by, name: row.decider_name },
    decidedAt: row.created_at,
  }));
}

/** Audit events of an application (and of the cabinet it created), oldest first. */
export async function loadApplicationHistory(
  db: Executor,
  applicationId: string,
): Promise<AuditView[]> {
  const rows = await queryRows<{
    id: number;
    action: string;
    occurred_at: string;
    actor_oid: string | null;
    actor_name: string | null;
    revision: number | null;
    from_state: string | null;
    to_state: string | null;
    reason: string | null;
  }>(
    db,
    sql`select ev.id::int as id, ev.action, ${iso("ev.occurred_at")} as occurred_at,
      ev.actor_oid, case when p.oid is null then null else ${personName("p")} end as actor_name,
      ev.revision, ev.from_state, ev.to_state, ev.details->>'reason' as reason
    from audit_events ev
    left join persons p on p.oid = ev.actor_oid
    where ev.application_id = ${applicationId}::uuid
    order by ev.id`,
  );
  return rows.map((row) => ({
    id: row.id,
    action: row.action,
    occurredAt: row.occurred_at,
    actor: row.actor_oid
      ? { oid: row.actor_oid, name: row.actor_name ?? row.actor_oid }
      : null,
    revision: row.revision,
    fromState: row.from_state,
    toState: row.to_state,
    reason: row.reason,
  }));
}

/** Everything the reviewer's page of an application shows, or undefined. */
export async function loadApplicationReview(
  db: Executor,
  applicationId: string,
): Promise<ApplicationReview | undefined> {
  const [row] = await loadHeaderRows(db, applicationId);
  if (!row) return undefined;
  const revisions = await loadRevisions(db, applicationId);
  const decisions = await loadDecisions(db, applicationId);
  const history = await loadApplicationHistory(db, applicationId);
  return {
    application: toHeader(row),
    organization: {
      oid: row.organization_oid,
      fullName: row.org_full_name,
      shortName: row.org_short_name,
      ogrn: row.org_ogrn,
    },
    applicant: {
      oid: row.applicant_oid,
      lastName: row.last_name,
      firstName: row.first_name,
      middleName: row.middle_name,
      email: row.email,
      mobile: row.mobile,
    },
    revisions,
    decisions,
    history,
  };
}
