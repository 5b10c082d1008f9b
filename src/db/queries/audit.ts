import type { Executor } from "../client.js";
import { auditEvents } from "../schema.js";

export type AuditAction =
  | "application_submitted"
  | "application_resubmitted"
  | "application_approved"
  | "application_rejected"
  | "application_withdrawn"
  | "cabinet_created";

export interface AuditEvent {
  actorOid: string | null;
  action: AuditAction;
  applicationId?: string;
  cabinetId?: string;
  revision?: number;
  fromState?: string | null;
  toState?: string | null;
  details?: Record<string, unknown>;
}

/** Appends audit events; call it in the transaction of the change. */
export async function recordAudit(
  tx: Executor,
  events: AuditEvent[],
): Promise<void> {
  await tx.insert(auditEvents).values(
    events.map((event) => ({
      actorOid: event.actorOid,
      action: event.action,
      applicationId: event.applicationId ?? null,
      cabinetId: event.cabinetId ?? null,
      revision: event.revision ?? null,
      fromState: event.fromState ?? null,
      toState: event.toState ?? null,
      details: event.details ?? null,
    })),
  );
}
