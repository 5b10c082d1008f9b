import { randomUUID } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import type { Executor, Transaction } from "../../db/client.js";
import { queryPrepared, queryRows } from "../../db/client.js";
import type { ApplicationDetail } from "../../db/queries/applicant-applications.js";
import { recordAudit } from "../../db/queries/audit.js";
import {
  organizationsUpsertSql,
  personUpsertSql,
  upsertPerson,
} from "../../db/queries/people.js";
import {
  applicationRevisions,
  applications,
  persons,
  revisionSpheres,
} from "../../db/schema.js";
import type {
  ApplicationFields,
  ApplicationSubmit,
} from "../../domain/application-form.js";
import type { CabinetKind } from "../../domain/cabinets.js";
import { checkEligibility } from "../../domain/eligibility.js";
import type {
  EsiaOrganization,
  EsiaProfile,
} from "../../domain/esia-profile.js";
import {
  nextState,
  TransitionError,
  type ApplicationState,
} from "../../domain/states.js";
import {
  enqueueMail,
  outboxInsertSql,
  type OutboxMessage,
} from "../../mail/outbox.js";
import { nameKey } from "../../domain/text.js";
import { findPgError } from "../database-errors.js";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.js";
import {
  checkApplicationFields,
  claimName,
  fieldFactsColumns,
  nameScope,
  nameTakenError,
  releaseName,
  toFieldFacts,
  validateApplicationFields,
  type EditorialCabinetRow,
  type FieldFactsRow,
} from "./application-rules.js";
import type { ServiceContext } from "./context.js";

export type ApplicationRow = typeof applications.$inferSelect;

export interface SubmitResult {
  applicationId: string;
  /**
   * The new application as findApplicationDetail would read it, built from
   * what the submission wrote; absent when an earlier one is returned.
   */
  detail?: ApplicationDetail;
  /** False when an idempotency key matched an earlier submission. */
  created: boolean;
}

/** Finds the organization in the session's ESIA data, or throws 403. */
export function findEmployer(
  actor: EsiaProfile,
  organizationOid: string,
): EsiaOrganization {
  const organization = actor.organizations.find(
    (org) => org.oid === organizationOid,
  );
  if (!organization) {
    throw new ForbiddenError(
      "Вы не являетесь сотрудником этой организации по данным ЕСИА: выберите организацию из списка",
      "not_employee",
    );
  }
  return organization;
}

/** Throws 403 with every failed eligibility condition. */
export function assertEligible(
  ctx: ServiceContext,
  organization: EsiaOrganization,
  kind: CabinetKind,
): void {
  const problems = checkEligibility(organization, kind, ctx.groups);
  if (problems.length > 0) {
    throw new ForbiddenError(
      problems.map((problem) => problem.message).join(" "),
      "not_eligible",
    );
  }
}

function applicationUrl(ctx: ServiceContext, id: string): string {
  return `${ctx.publicUrl}/applications/${id}`;
}

/** Reviewer addresses: the editorial cabinet's e-mail, or the operators'. */
async function reviewerAddresses(
  ctx: ServiceContext,
  tx: Executor,
  regionCode: string,
  editorial: EditorialCabinetRow | null,
): Promise<string[]> {
  if (editorial) return [editorial.email];
  const operatorOids = ctx.operators
    .filter((op) => op.regions.length === 0 || op.regions.includes(regionCode))
    .map((op) => op.oid);
  // An operator's e-mail is known once they have signed in; the configured
  // mailbox covers operators who have not.
  const rows =
    operatorOids.length === 0
      ? []
      : await tx
          .select({ email: persons.email })
          .from(persons)
          .where(inArray(persons.oid, operatorOids));
  const addresses = [
    ...new Set([
      ...ctx.operatorsMail,
      ...rows.flatMap((row) => (row.email ? [row.email] : [])),
    ]),
  ];
  if (addresses.length === 0) {
    ctx.logger.warn(
      { regionCode, operators: operatorOids.length },
      "no reviewer address for an editorial-cabinet application: set PLATFORM_OPERATORS_MAIL",
    );
  }
  return addresses;
}

async function insertRevision(
  tx: Transaction,
  applicationId: string,
  number: number,
  fields: ApplicationFields,
  editorialCabinetId: string | null,
  submittedBy: string,
): Promise<void> {
  const [revision] = await tx
    .insert(applicationRevisions)
    .values({
      applicationId,
      number,
      name: fields.name,
      regionCode: fields.region,
      typeCode: fields.type,
      editorialCabinetId,
      email: fields.email,
      submittedBy,
    })
    .returning({ id: applicationRevisions.id });
  await tx.insert(revisionSpheres).values(
    fields.spheres.map((sphereCode) => ({
      revisionId: revision!.id,
      sphereCode,
    })),
  );
}

interface SubmitFactsRow extends FieldFactsRow {
  earlier_id: string | null;
  earlier_applicant_oid: string | null;
  earlier_organization_oid: string | null;
  earlier_kind: string | null;
  cabinet_id: string | null;
  open_reference: string | null;
  sequence: number;
}

/**
 * Reads everything the checks of a submission need in one statement: an
 * earlier application with the idempotency key, an active cabinet or open
 * application of the same kind, the FieldFacts of the form, and the next
 * reference number. A submission that fails leaves a gap in the numbers.
 */
async function readSubmitFacts(
  db: Executor,
  organizationOid: string,
  input: ApplicationSubmit,
): Promise<SubmitFactsRow> {
  const earlierMatch = input.idempotencyKey
    ? sql`e.idempotency_key = ${input.idempotencyKey}::uuid`
    : sql`false`;
  const [row] = await queryPrepared<SubmitFactsRow>(
    db,
    sql`select e.id as earlier_id, e.applicant_oid as earlier_applicant_oid,
      e.organization_oid as earlier_organization_oid, e.kind as earlier_kind,
      (select c.id from cabinets c
        where c.organization_oid = ${organizationOid} and c.kind = ${input.kind}
          and c.status = 'active') as cabinet_id,
      (select a.reference from applications a
        where a.organization_oid = ${organizationOid} and a.kind = ${input.kind}
          and a.state in ('submitted', 'rejected')) as open_reference,
      ${fieldFactsColumns(organizationOid, input)},
      nextval('application_reference_seq')::int as sequence
    from (select 1) as one
    left join applications e on ${earlierMatch}`,
  );
  return row!;
}

/**
 * Submits a new application: re-checks eligibility on the session's ESIA
 * data, validates the fields, and writes the application, its first
 * revision, the name claim, the audit event and the mail atomically.
 * A repeated idempotency key returns the first application.
 *
 * It takes two statements and no explicit transaction, because round trips
 * cost more than the work. The first reads the facts the checks need. The
 * second writes every row at once, including the person and organization as
 * ESIA returned them. A single statement is atomic, and unique indexes catch
 * what changed in between: an open application of the organization
 * (application_exists) and the name (name_taken).
 */
export async function submitApplication(
  ctx: ServiceContext,
  actor: EsiaProfile,
  input: ApplicationSubmit,
): Promise<SubmitResult> {
  const organization = findEmployer(actor, input.organizationOid);
  assertEligible(ctx, organization, input.kind);
  const { db } = ctx;

  const facts = await readSubmitFacts(db, organization.oid, input);
  if (facts.earlier_id) {
    // The key must repeat the same request: the same person, organization and kind.
    if (
      facts.earlier_applicant_oid !== actor.oid ||
      facts.earlier_organization_oid !== organization.oid ||
      facts.earlier_kind !== input.kind
    ) {
      throw new ConflictError(
        "Повторный запрос не совпадает с исходным: обновите страницу",
      );
    }
    return { applicationId: facts.earlier_id, created: false };
  }
  if (facts.cabinet_id) {
    throw new ConflictError(
      "У организации уже есть кабинет этого вида: войдите в него",
      "cabinet_exists",
    );
  }
  if (facts.open_reference) throw openApplicationError(facts.open_reference);
  const editorial = checkApplicationFields(
    input.kind,
    input,
    toFieldFacts(facts),
  );
  const editorialId = editorial?.id ?? null;
  const app: SubmittedApplication = {
    id: randomUUID(),
    reference: `ГП-${new Date().getFullYear()}-${String(facts.sequence).padStart(6, "0")}`,
    kind: input.kind,
    name: input.name,
    regionCode: input.region,
    email: input.email,
  };
  const mail = await transitionMail(
    ctx,
    db,
    app,
    organization.fullName,
    editorial,
    "submitted",
  );
  const revisionId = randomUUID();
  const sphereRows = sql.join(
    input.spheres.map((code) => sql`(${revisionId}::uuid, ${code})`),
    sql`, `,
  );
  const outbox = outboxInsertSql(mail);
  // ISO 8601 text: Drizzle hands raw timestamptz values over as PostgreSQL's own text.
  let written: { created_at: string; queued_at: string; updated_at: string };
  try {
    const [row] = await queryPrepared<typeof written>(
      db,
      sql`with person as (${personUpsertSql(actor)}),
      organization as (${organizationsUpsertSql([organization])}),
      application as (
        insert into applications (id, reference, kind, organization_oid,
          applicant_oid, state, revision, name, region_code, type_code,
          editorial_cabinet_id, email, ogrn, idempotency_key)
        values (${app.id}::uuid, ${app.reference}, ${input.kind}, ${organization.oid},
          ${actor.oid}, 'submitted', 1, ${input.name}, ${input.region}, ${input.type},
          ${editorialId}::uuid, ${input.email}, ${organization.ogrn},
          ${input.idempotencyKey ?? null}::uuid)
        returning created_at, queued_at, updated_at
      ), claim as (
        insert into name_claims (scope, name_key, application_id)
        values (${nameScope(input.kind, input.region, editorialId)}, ${nameKey(input.name)}, ${app.id}::uuid)
      ), revision as (
        insert into application_revisions (id, application_id, number, name,
          region_code, type_code, editorial_cabinet_id, email, submitted_by)
        values (${revisionId}::uuid, ${app.id}::uuid, 1, ${input.name}, ${input.region},
          ${input.type}, ${editorialId}::uuid, ${input.email}, ${actor.oid})
      ), revision_sphere as (
        insert into revision_spheres (revision_id, sphere_code) values ${sphereRows}
      ), audit as (
        insert into audit_events (actor_oid, action, application_id, revision, to_state)
        values (${actor.oid}, 'application_submitted', ${app.id}::uuid, 1, 'submitted')
      )${outbox ? sql`, mail as (${outbox})` : sql``}
      select to_json(created_at) #>> '{}' as created_at,
        to_json(queued_at) #>> '{}' as queued_at,
        to_json(updated_at) #>> '{}' as updated_at
      from application`,
    );
    written = row!;
  } catch (error) {
    // Written since the facts were read: another application took the name,
    // or the organization has an open application of the same kind.
    const constraint = findPgError(error)?.constraint;
    if (constraint === "name_claims_scope_name_key_pk") throw nameTakenError();
    if (constraint === "applications_one_open_per_organization_kind") {
      const [open] = await queryRows<{ reference: string }>(
        db,
        sql`select reference from applications
          where organization_oid = ${organization.oid} and kind = ${input.kind}
            and state in ('submitted', 'rejected')`,
      );
      if (open) throw openApplicationError(open.reference);
    }
    throw error;
  }
  ctx.logger.info(
    {
      applicationId: app.id,
      organizationOid: organization.oid,
      from: null,
      to: "submitted",
    },
    "application submitted",
  );
  return {
    applicationId: app.id,
    created: true,
    detail: {
      id: app.id,
      reference: app.reference,
      kind: input.kind,
      state: "submitted",
      revision: 1,
      name: input.name,
      regionCode: input.region,
      typeCode: input.type,
      editorialCabinetId: editorialId,
      editorialCabinetName: editorial?.name ?? null,
      spheres: [...input.spheres].sort(),
      email: input.email,
      applicantOid: actor.oid,
      organizationOid: organization.oid,
      organizationOgrn: organization.ogrn,
      organizationFullName: organization.fullName,
      organizationShortName: organization.shortName,
      rejectionReason: null,
      cabinetId: null,
      createdAt: new Date(written.created_at),
      queuedAt: new Date(written.queued_at),
      updatedAt: new Date(written.updated_at),
      ownEditorialCabinet: facts.own,
    },
  };
}

function openApplicationError(reference: string): ConflictError {
  return new ConflictError(
    `У организации уже есть заявка № ${reference} на такой кабинет: откройте её вместо новой`,
    "application_exists",
  );
}

/** The fields of an application its mail mentions. */
interface SubmittedApplication {
  id: string;
  reference: string;
  kind: string;
  name: string;
  regionCode: string;
  email: string;
}

async function transitionMail(
  ctx: ServiceContext,
  tx: Executor,
  app: SubmittedApplication,
  organizationName: string,
  editorial: EditorialCabinetRow | null,
  event: "submitted" | "resubmitted",
): Promise<OutboxMessage[]> {
  const facts = {
    reference: app.reference,
    kind: app.kind as CabinetKind,
    cabinetName: app.name,
    organizationName,
    url: applicationUrl(ctx, app.id),
    resubmitted: event === "resubmitted",
  };
  const reviewers = await reviewerAddresses(ctx, tx, app.regionCode, editorial);
  return [
    {
      template:
        event === "submitted"
          ? "application_submitted"
          : "application_resubmitted",
      to: app.email,
      facts,
      applicationId: app.id,
    },
    ...reviewers.map((to) => ({
      template: "review_requested" as const,
      to,
      facts: { ...facts, url: `${ctx.publicUrl}/review/${app.id}` },
      applicationId: app.id,
    })),
  ];
}

/** Locks the application row for the rest of the transaction. */
export async function lockApplication(
  tx: Executor,
  applicationId: string,
): Promise<ApplicationRow> {
  const [row] = await tx
    .select()
    .from(applications)
    .where(eq(applications.id, applicationId))
    .for("update");
  if (!row) throw new NotFoundError("Заявка не найдена");
  return row;
}

/** Throws a 409 that names the current state when `action` is not allowed. */
export function transitionOrConflict(
  from: string,
  action: "approve" | "reject" | "resubmit" | "withdraw",
): ApplicationState {
  try {
    return nextState(from as ApplicationState, action);
  } catch (error) {
    if (error instanceof TransitionError) {
      throw new ConflictError(error.message, "invalid_transition");
    }
    throw error;
  }
}

/**
 * Resubmits a rejected application as a new revision. `expectedRevision` is
 * the revision the applicant edited, so that a stale form cannot overwrite a
 * newer one.
 */
export async function resubmitApplication(
  ctx: ServiceContext,
  actor: EsiaProfile,
  applicationId: string,
  fields: ApplicationFields,
  expectedRevision?: number,
): Promise<ApplicationRow> {
  const updated = await ctx.db.transaction(async (tx) => {
    const app = await lockApplication(tx, applicationId);
    const organization = actor.organizations.find(
      (org) => org.oid === app.organizationOid,
    );
    if (!organization) throw new NotFoundError("Заявка не найдена");
    assertEligible(ctx, organization, app.kind as CabinetKind);
    const to = transitionOrConflict(app.state, "resubmit");
    if (expectedRevision !== undefined && expectedRevision !== app.revision) {
      throw new ConflictError(
        "Заявка изменилась, пока вы её редактировали: обновите страницу и внесите исправления снова",
        "stale_revision",
      );
    }
    await upsertPerson(tx, actor);
    const kind = app.kind as CabinetKind;
    const editorial = await validateApplicationFields(
      tx,
      kind,
      app.organizationOid,
      fields,
    );
    const editorialId = editorial?.id ?? null;
    await claimName(
      tx,
      app.id,
      nameScope(kind, fields.region, editorialId),
      fields.name,
    );
    const revision = app.revision + 1;
    await insertRevision(tx, app.id, revision, fields, editorialId, actor.oid);
    const [row] = await tx
      .update(applications)
      .set({
        state: to,
        revision,
        name: fields.name,
        regionCode: fields.region,
        typeCode: fields.type,
        editorialCabinetId: editorialId,
        email: fields.email,
        rejectionReason: null,
        queuedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(eq(applications.id, app.id))
      .returning();
    await recordAudit(tx, [
      {
        actorOid: actor.oid,
        action: "application_resubmitted",
        applicationId: app.id,
        revision,
        fromState: app.state,
        toState: to,
      },
    ]);
    await enqueueMail(
      tx,
      await transitionMail(
        ctx,
        tx,
        row!,
        organization.fullName,
        editorial,
        "resubmitted",
      ),
    );
    return row!;
  });
  ctx.logger.info(
    {
      applicationId,
      from: "rejected",
      to: "submitted",
      revision: updated.revision,
    },
    "application resubmitted",
  );
  return updated;
}

/** Withdraws a submitted or rejected application and frees its name. */
export async function withdrawApplication(
  ctx: ServiceContext,
  actor: EsiaProfile,
  applicationId: string,
): Promise<ApplicationRow> {
  const updated = await ctx.db.transaction(async (tx) => {
    const app = await lockApplication(tx, applicationId);
    const organization = actor.organizations.find(
      (org) => org.oid === app.organizationOid,
    );
    if (!organization || !organization.active)
      throw new NotFoundError("Заявка не найдена");
    if (
      !organization.chief &&
      !organization.admin &&
      app.applicantOid !== actor.oid
    ) {
      throw new ForbiddenError(
        "Отозвать заявку может заявитель, руководитель или администратор профиля организации",
      );
    }
    const to = transitionOrConflict(app.state, "withdraw");
    await upsertPerson(tx, actor);
    await releaseName(tx, app.id);
    const [row] = await tx
      .update(applications)
      .set({ state: to, updatedAt: sql`now()` })
      .where(eq(applications.id, app.id))
      .returning();
    await recordAudit(tx, [
      {
        actorOid: actor.oid,
        action: "application_withdrawn",
        applicationId: app.id,
        revision: app.revision,
        fromState: app.state,
        toState: to,
      },
    ]);
    return row!;
  });
  ctx.logger.info(
    { applicationId, from: "open", to: "withdrawn" },
    "application withdrawn",
  );
  return updated;
}
