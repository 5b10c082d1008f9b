import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { queryRows } from "../db/client.js";
import { mailOutbox } from "../db/schema.js";

export interface OutboxCounts {
  pending: number;
  sent: number;
  failed: number;
}

export async function countOutbox(db: Database): Promise<OutboxCounts> {
  const rows = await queryRows<{ status: keyof OutboxCounts; count: number }>(
    db,
    sql`select status, count(*)::int as count from mail_outbox group by status`,
  );
  const counts: OutboxCounts = { pending: 0, sent: 0, failed: 0 };
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}

/** The outcome of a retry: the requeued ids and the given ids left as they were. */
export interface RetryOutcome {
  requeued: number[];
  /** Each given id that was not requeued, with its status, or null when no message has it. */
  skipped: { id: number; status: string | null }[];
}

/**
 * Puts messages that ran out of attempts back in the queue, due now and with
 * a fresh attempt count. Without ids it requeues every failed message.
 */
export async function retryFailedMail(
  db: Database,
  ids: number[],
): Promise<RetryOutcome> {
  const condition =
    ids.length > 0
      ? and(eq(mailOutbox.status, "failed"), inArray(mailOutbox.id, ids))
      : eq(mailOutbox.status, "failed");
  const rows = await db
    .update(mailOutbox)
    .set({
      status: "pending",
      attempts: 0,
      nextAttemptAt: sql`now()`,
      lockedUntil: null,
    })
    .where(condition)
    .returning({ id: mailOutbox.id });
  const requeued = rows.map((row) => row.id).sort((a, b) => a - b);

  const missing = [...new Set(ids)].filter((id) => !requeued.includes(id));
  if (missing.length === 0) return { requeued, skipped: [] };
  const found = await db
    .select({ id: mailOutbox.id, status: mailOutbox.status })
    .from(mailOutbox)
    .where(inArray(mailOutbox.id, missing));
  const statuses = new Map(found.map((row) => [row.id, row.status]));
  const skipped = missing.map((id) => ({
    id,
    status: statuses.get(id) ?? null,
  }));
  return { requeued, skipped };
}
