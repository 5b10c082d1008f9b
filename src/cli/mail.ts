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

/**
 * Puts messages that ran out of attempts back in the queue, due now and with
 * a fresh attempt count. Without ids it requeues every failed message.
 */
export async function retryFailedMail(
  db: Database,
  ids: number[],
): Promise<number> {
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
  return rows.length;
}
