import { asc, eq, sql } from "drizzle-orm";
import { queryRows } from "../../db/client.js";
import { recordAudit } from "../../db/queries/audit.js";
import { upsertPerson } from "../../db/queries/people.js";
import {
  applicationDecisions,
  applicationRevisions,
  applications,
  cabinetSpheres,
  cabinets,
  revisionSpheres,
} from "../../db/schema.js";
import type { CabinetKind } from "../../domain/cabinets.js";
import type { EsiaProfile } from "../../domain/esia-profile.js";
import { enqueueMail } from "../../mail/outbox.js";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.js";
import {
  lockApplication,
  transitionOrConflict,
  type ApplicationRow,
} from "./applications.js";
import type { ServiceContext } from "./context.js";
import { canReview } from "./reviewers.js";

export type Decision =
  { decision: "approve" } | { decision: "reject"; reason: string };

export interface DecisionResult {
  application: ApplicationRow;
  cabinetId: string | null;
}

/**
 * Approves or rejects the revision the reviewer saw. Locks the application,
 * checks the reviewer's rights, the state and the revision, then writes the
 * decision, the state change, the cabinet (on approval), the audit events and
 * the mail in one transaction. Of two concurrent decisions the first wins;
 * the second gets a 409 that says so.
 */
export async function decideApplication(
  ctx: ServiceContext,
  actor: EsiaProfile,
  applicationId: string,
  revision: number,
  decision: Decision,
): Promise<DecisionResult> {
  const result = await ctx.db.transaction(async (tx) => {
    const app = await lockApplication(tx, applicationId);
    if (!(await canReview(tx, actor, app, ctx.groups, ctx.operators))) {
      // Another editorial cabinet's application: do not reveal that it exists.
      throw new NotFoundError("Заявка не найдена");
    }
    const submitters = await tx
      .select({ oid: applicationRevisions.submittedBy })
      .from(applicationRevisions)
      .where(eq(applicationRevisions.applicationId, app.id));
    if (
      app.applicantOid === actor.oid ||
      submitters.some((row) => row.oid === actor.oid)
    ) {
      throw new ForbiddenError(
        "Нельзя рассматривать заявку, которую вы подали сами: её рассмотрит другой сотрудник редакции или оператор платформы",
        "self_decision",
      );
    }
    if (revision !== app.revision || app.state !== "submitted") {
      const [latest] = await tx
        .select()
        .from(applicationDecisions)
        .where(eq(applicationDecisions.applicationId, app.id))
        .orderBy(sql`${applicationDecisions.createdAt} desc`)
        .limit(1);
      if (latest && latest.revision === revision) {
        throw new ConflictError(
          `По этой заявке уже принято решение: она ${latest.decision === "approved" ? "одобрена" : "отклонена"}${latest.decidedBy === actor.oid ? " вами" : " другим сотрудником"}. Обновите страницу`,
          "already_decided",
        );
      }
      if (revision > app.revision) {
        throw new ConflictError(
          `У заявки нет редакции ${revision}: последняя редакция ${app.revision}. Обновите страницу`,
          "unknown_revision",
        );
      }
      if (revision !== app.revision) {
        throw new ConflictError(
          "Заявитель изменил заявку, пока вы её смотрели: обновите страницу и рассмотрите новую редакцию",
          "stale_revision",
        );
      }
    }
    const to = transitionOrConflict(app.state, decision.decision);
    await upsertPerson(tx, actor);
    await tx.insert(applicationDecisions).values({
      applicationId: app.id,
      revision,
      decision: to === "approved" ? "approved" : "rejected",
      reason: decision.decision === "reject" ? decision.reason : null,
      decidedBy: actor.oid,
    });

    let cabinetId: string | null = null;
    if (decision.decision === "approve") {
      const [cabinet] = await tx
        .insert(cabinets)
        .values({
          kind: app.kind,
          organizationOid: app.organizationOid,
          name: app.name,
          regionCode: app.regionCode,
          typeCode: app.typeCode,
          editorialCabinetId: app.editorialCabinetId,
          email: app.email,
          applicationId: app.id,
        })
        .returning({ id: cabinets.id });
      cabinetId = cabinet!.id;
      const [current] = await tx
        .select({ id: applicationRevisions.id })
        .from(applicationRevisions)
        .where(
          sql`${applicationRevisions.applicationId} = ${app.id} and ${applicationRevisions.number} = ${app.revision}`,
        );
      const sphereRows = await tx
        .select({ code: revisionSpheres.sphereCode })
        .from(revisionSpheres)
        .where(eq(revisionSpheres.revisionId, current!.id))
        .orderBy(asc(revisionSpheres.sphereCode));
      await tx.insert(cabinetSpheres).values(
        sphereRows.map((row) => ({
          cabinetId: cabinetId!,
          sphereCode: row.code,
        })),
      );
    }

    const [row] = await tx
      .update(applications)
      .set({
        state: to,
        cabinetId,
        rejectionReason:
          decision.decision === "reject" ? decision.reason : null,
        updatedAt: sql`now()`,
      })
      .where(eq(applications.id, app.id))
      .returning();
    await recordAudit(tx, [
      {
        actorOid: actor.oid,
        action:
          to === "approved" ? "application_approved" : "application_rejected",
        applicationId: app.id,
        revision,
        fromState: app.state,
        toState: to,
        details:
          decision.decision === "reject"
            ? { reason: decision.reason }
            : undefined,
      },
      ...(cabinetId
        ? [
            {
              actorOid: actor.oid,
              action: "cabinet_created" as const,
              applicationId: app.id,
              cabinetId,
              revision,
            },
          ]
        : []),
    ]);
    const [org] = await queryRows<{ full_name: string }>(
      tx,
      sql`select full_name from organizations where oid = ${app.organizationOid}`,
    );
    await enqueueMail(tx, [
      {
        template:
          to === "approved" ? "application_approved" : "application_rejected",
        to: app.email,
        applicationId: app.id,
        facts: {
          reference: app.reference,
          kind: app.kind as CabinetKind,
          cabinetName: app.name,
          organizationName: org?.full_name ?? "",
          url: cabinetId
            ? `${ctx.publicUrl}/cabinets/${cabinetId}`
            : `${ctx.publicUrl}/applications/${app.id}`,
          reason: decision.decision === "reject" ? decision.reason : undefined,
        },
      },
    ]);
    return { application: row!, cabinetId, from: app.state };
  });
  ctx.logger.info(
    {
      applicationId,
      from: result.from,
      to: result.application.state,
      revision,
      cabinetId: result.cabinetId,
    },
    "application decided",
  );
  return { application: result.application, cabinetId: result.cabinetId };
}
