import { and, eq, inArray, sql } from "drizzle-orm";
import type { Executor, Transaction } from "../../db/client.js";
import { queryRows } from "../../db/client.js";
import { recordAudit } from "../../db/queries/audit.js";
import { upsertOrganizations, upsertPerson } from "../../db/queries/people.js";
import {
  applicationRevisions,
  applications,
  cabinets,
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
import { enqueueMail, type OutboxMessage } from "../../mail/outbox.js";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.js";
import {
  claimName,
  nameScope,
  releaseName,
  validateApplicationFields,
  type EditorialCabinetRow,
} from "./application-rules.js";
import type { ServiceContext } from "./context.js";

export type ApplicationRow = typeof applications.$inferSelect;

export interface SubmitResult {
  application: ApplicationRow;
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

/**
 * Submits a new application: re-checks eligibility on the session's ESIA
 * data, validates the fields, and writes the application, its first
 * revision, the name claim, the audit event and the mail in one transaction.
 * A repeated idempotency key returns the first application.
 */
export async function submitApplication(
  ctx: ServiceContext,
  actor: EsiaProfile,
  input: ApplicationSubmit,
): Promise<SubmitResult> {
  const organization = findEmployer(actor, input.organizationOid);
  assertEligible(ctx, organization, input.kind);

  const result = await ctx.db.transaction(async (tx) => {
    if (input.idempotencyKey) {
      const [earlier] = await tx
        .select()
        .from(applications)
        .where(eq(applications.idempotencyKey, input.idempotencyKey));
      if (earlier) {
        if (earlier.applicantOid !== actor.oid) {
          throw new ConflictError(
            "Повторный запрос не совпадает с исходным: обновите страницу",
          );
        }
        return { application: earlier, created: false };
      }
    }
    await upsertPerson(tx, actor);
    await upsertOrganizations(tx, [organization]);

    const [existingCabinet] = await tx
      .select({ id: cabinets.id })
      .from(cabinets)
      .where(
        and(
          eq(cabinets.organizationOid, organization.oid),
          eq(cabinets.kind, input.kind),
          eq(cabinets.status, "active"),
        ),
      );
    if (existingCabinet) {
      throw new ConflictError(
        "У организации уже есть кабинет этого вида: войдите в него",
        "cabinet_exists",
      );
    }
    const [open] = await tx
      .select({ id: applications.id, reference: applications.reference })
      .from(applications)
      .where(
        and(
          eq(applications.organizationOid, organization.oid),
          eq(applications.kind, input.kind),
          inArray(applications.state, ["submitted", "rejected"]),
        ),
      );
    if (open) {
      throw new ConflictError(
        `У организации уже есть заявка № ${open.reference} на такой кабинет: откройте её вместо новой`,
        "application_exists",
      );
    }

    const editorial = await validateApplicationFields(
      tx,
      input.kind,
      organization.oid,
      input,
    );
    const [sequence] = await queryRows<{ value: number }>(
      tx,
      sql`select nextval('application_reference_seq')::int as value`,
    );
    const reference = `ГП-${new Date().getFullYear()}-${String(sequence!.value).padStart(6, "0")}`;
    const [application] = await tx
      .insert(applications)
      .values({
        reference,
        kind: input.kind,
        organizationOid: organization.oid,
        applicantOid: actor.oid,
        state: "submitted",
        revision: 1,
        name: input.name,
        regionCode: input.region,
        typeCode: input.type,
        editorialCabinetId: editorial?.id ?? null,
        email: input.email,
        ogrn: organization.ogrn,
        idempotencyKey: input.idempotencyKey ?? null,
      })
      .returning();
    const app = application!;
    await claimName(
      tx,
      app.id,
      nameScope(input.kind, input.region, editorial?.id ?? null),
      input.name,
    );
    await insertRevision(
      tx,
      app.id,
      1,
      input,
      editorial?.id ?? null,
      actor.oid,
    );
    await recordAudit(tx, [
      {
        actorOid: actor.oid,
        action: "application_submitted",
        applicationId: app.id,
        revision: 1,
        fromState: null,
        toState: "submitted",
      },
    ]);
    await enqueueMail(
      tx,
      await transitionMail(ctx, tx, app, editorial, "submitted"),
    );
    return { application: app, created: true };
  });
  if (result.created) {
    ctx.logger.info(
      {
        applicationId: result.application.id,
        organizationOid: organization.oid,
        from: null,
        to: "submitted",
      },
      "application submitted",
    );
  }
  return result;
}

async function transitionMail(
  ctx: ServiceContext,
  tx: Executor,
  app: ApplicationRow,
  editorial: EditorialCabinetRow | null,
  event: "submitted" | "resubmitted",
): Promise<OutboxMessage[]> {
  const [org] = await queryRows<{ full_name: string }>(
    tx,
    sql`select full_name from organizations where oid = ${app.organizationOid}`,
  );
  const facts = {
    reference: app.reference,
    kind: app.kind as CabinetKind,
    cabinetName: app.name,
    organizationName: org?.full_name ?? "",
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
      await transitionMail(ctx, tx, row!, editorial, "resubmitted"),
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
