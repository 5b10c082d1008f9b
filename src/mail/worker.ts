import { domainToASCII } from "node:url";
import { sql } from "drizzle-orm";
import type { Transporter } from "nodemailer";
import type { Executor } from "../db/client.js";
import { queryRows } from "../db/client.js";

/** The subset of a pino or Fastify logger the worker uses. */
export interface WorkerLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface OutboxWorkerOptions {
  db: Executor;
  transport: Pick<Transporter, "sendMail">;
  /** `MAIL_FROM`, e.g. «Госпаблики» <noreply@example.ru>. */
  from: string;
  logger: WorkerLogger;
  /** Pause between polls when nothing is due, in ms; default 1000. */
  pollIntervalMs?: number;
  /** Messages claimed per poll; default 20. */
  batchSize?: number;
  /** How long a claimed message stays reserved for one worker, in ms; default 5 minutes. */
  leaseMs?: number;
  /** Attempts before a message is marked `failed`; default 12. */
  maxAttempts?: number;
  /** Delay after the first failed attempt, in ms, doubled after each next one; default 30 s. */
  baseDelayMs?: number;
  /** Upper bound of the delay between attempts, in ms; default 1 hour. */
  maxDelayMs?: number;
  /** Messages sent at once, one per SMTP connection of the pool; default 3. */
  concurrency?: number;
  /** How long `stop()` waits for the messages being sent, in ms; default 10 s. */
  stopGraceMs?: number;
}

export const DEFAULT_LEASE_MS = 5 * 60_000;
/** Attempts at marking a message sent, 0.5 s and then 1 s apart, before the lease is left to expire. */
const MARK_SENT_ATTEMPTS = 3;
const DEFAULTS = {
  pollIntervalMs: 1000,
  batchSize: 20,
  leaseMs: DEFAULT_LEASE_MS,
  maxAttempts: 12,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  concurrency: 3,
  stopGraceMs: 10_000,
};

export interface BatchResult {
  sent: number;
  retried: number;
  failed: number;
}

interface ClaimedRow {
  id: number;
  template: string;
  to_address: string;
  subject: string;
  body: string;
  application_id: string | null;
  attempts: number;
  /** The lease, as the claim wrote it; the result is written only while it still holds. */
  lease: string;
}

/**
 * Delay before attempt `attempts + 1` after `attempts` failures:
 * base × 2^(attempts − 1), at most `max`.
 */
export function retryDelayMs(
  attempts: number,
  base: number,
  max: number,
): number {
  return Math.min(base * 2 ** Math.max(0, attempts - 1), max);
}

/** Domain for Message-IDs, taken from the sender's address. */
function messageIdDomain(from: string): string {
  const match = /@([^\s>]+)>?\s*$/.exec(from);
  const ascii = match ? domainToASCII(match[1]!) : "";
  return ascii || "gospubliki.localhost";
}

/**
 * Claims due messages for this worker. One statement locks the due pending
 * rows with `FOR UPDATE SKIP LOCKED`, so concurrent workers over one
 * PostgreSQL database claim disjoint rows, and sets a lease in `locked_until`
 * so that no other worker takes them until it expires. The claim counts as
 * an attempt, so a worker that dies mid-send still uses up an attempt.
 */
async function claimDue(
  db: Executor,
  batchSize: number,
  leaseMs: number,
): Promise<ClaimedRow[]> {
  return queryRows<ClaimedRow>(
    db,
    sql`update mail_outbox as m
      set locked_until = now() + make_interval(secs => ${leaseMs / 1000}),
        attempts = m.attempts + 1
      where m.id in (
        select id from mail_outbox
        where status = 'pending'
          and next_attempt_at <= now()
          and (locked_until is null or locked_until <= now())
        order by next_attempt_at, id
        limit ${batchSize}
        for update skip locked
      )
      returning m.id::int as id, m.template, m.to_address, m.subject, m.body,
        m.application_id, m.attempts, m.locked_until::text as lease`,
  );
}

/** Checks whether the SMTP server rejected the message for good (a 5xx reply). */
function isPermanent(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return typeof code === "number" && code >= 500 && code < 600;
}

/** Extracts the error codes for logs; SMTP reply texts may quote addresses, so they stay out. */
function errorCodes(error: unknown): {
  errorCode?: string;
  responseCode?: number;
} {
  const { code, responseCode } = error as {
    code?: unknown;
    responseCode?: unknown;
  };
  return {
    errorCode: typeof code === "string" ? code : undefined,
    responseCode: typeof responseCode === "number" ? responseCode : undefined,
  };
}

type WorkerSettings = ReturnType<typeof withDefaults>;

/**
 * Sends one message and records the outcome on its row right away, so that a
 * crash repeats at most the messages in flight.
 */
async function sendOne(
  options: WorkerSettings,
  row: ClaimedRow,
): Promise<keyof BatchResult> {
  const { db, logger } = options;
  const context = {
    outboxId: row.id,
    template: row.template,
    applicationId: row.application_id,
    attempt: row.attempts,
  };
  let messageId: string | null;
  try {
    const info = await options.transport.sendMail({
      from: options.from,
      to: row.to_address,
      subject: row.subject,
      text: row.body,
      // A stable Message-ID lets a mail server drop a copy sent again after a worker crash.
      messageId: `<outbox-${row.id}@${messageIdDomain(options.from)}>`,
      headers: { "X-Gospubliki-Outbox-Id": String(row.id) },
    });
    messageId = typeof info.messageId === "string" ? info.messageId : null;
  } catch (error) {
    return recordFailure(options, row, error);
  }
  const markSent = () =>
    queryRows<{ id: number }>(
      db,
      sql`update mail_outbox
        set status = 'sent', sent_at = now(), locked_until = null,
          last_error = null, message_id = ${messageId}
        where id = ${row.id} and locked_until = ${row.lease}::timestamptz
        returning id::int as id`,
    );
  // The SMTP server has the message now. If the database drops the
  // connection (a restart, a failover), try again on a new one, since an
  // unmarked message is sent a second time when its lease expires.
  let marked: { id: number }[] | undefined;
  for (let attempt = 1; !marked; attempt++) {
    try {
      marked = await markSent();
    } catch (error) {
      if (attempt >= MARK_SENT_ATTEMPTS) throw error;
      logger.warn(
        { ...context, err: error, retryInMs: 500 * attempt },
        "marking sent mail failed; trying again",
      );
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
  const [updated] = marked;
  if (!updated) {
    logger.warn(
      context,
      "mail sent after its lease expired; another worker may send it again",
    );
  }
  logger.info(context, "mail sent");
  return "sent";
}

/**
 * Gives claimed messages back unsent, with their attempt, so that the next
 * poll of any worker takes them without waiting for the lease to expire.
 */
async function releaseUnsent(
  options: WorkerSettings,
  rows: ClaimedRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(
    rows.map((row) => sql`(${row.id}::bigint, ${row.lease}::timestamptz)`),
    sql`, `,
  );
  await queryRows(
    options.db,
    sql`update mail_outbox as m
      set locked_until = null, attempts = m.attempts - 1
      from (values ${values}) as v (id, lease)
      where m.id = v.id and m.locked_until = v.lease`,
  );
}

async function recordFailure(
  options: WorkerSettings,
  row: ClaimedRow,
  error: unknown,
): Promise<keyof BatchResult> {
  const { db, logger } = options;
  const context = {
    outboxId: row.id,
    template: row.template,
    applicationId: row.application_id,
    attempt: row.attempts,
    ...errorCodes(error),
  };
  const lastError = (
    error instanceof Error ? error.message : String(error)
  ).slice(0, 1000);
  const permanent = isPermanent(error);
  if (permanent || row.attempts >= options.maxAttempts) {
    await queryRows(
      db,
      sql`update mail_outbox
        set status = 'failed', locked_until = null, last_error = ${lastError}
        where id = ${row.id} and locked_until = ${row.lease}::timestamptz`,
    );
    logger.error({ ...context, permanent }, "mail send failed; giving up");
    return "failed";
  }
  const delayMs = retryDelayMs(
    row.attempts,
    options.baseDelayMs,
    options.maxDelayMs,
  );
  await queryRows(
    db,
    sql`update mail_outbox
      set locked_until = null, last_error = ${lastError},
        next_attempt_at = now() + make_interval(secs => ${delayMs / 1000})
      where id = ${row.id} and locked_until = ${row.lease}::timestamptz`,
  );
  logger.warn(
    { ...context, retryInMs: delayMs },
    "mail send failed; will retry",
  );
  return "retried";
}

function withDefaults(options: OutboxWorkerOptions) {
  return {
    ...options,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
    batchSize: options.batchSize ?? DEFAULTS.batchSize,
    leaseMs: options.leaseMs ?? DEFAULTS.leaseMs,
    maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
    baseDelayMs: options.baseDelayMs ?? DEFAULTS.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULTS.maxDelayMs,
    concurrency: options.concurrency ?? DEFAULTS.concurrency,
    stopGraceMs: options.stopGraceMs ?? DEFAULTS.stopGraceMs,
  };
}

/**
 * Claims one batch of due messages and sends them after the claim has
 * committed, `concurrency` at a time. Messages of one application go one
 * after another in outbox order, so that its recipients get them in the order
 * of the changes. Once `stopping()` is true no further message starts, and
 * the unsent ones are released. Returns how many were sent, rescheduled and
 * given up.
 */
export async function deliverDueMail(
  options: OutboxWorkerOptions,
  stopping: () => boolean = () => false,
): Promise<BatchResult> {
  const settings = withDefaults(options);
  const rows = await claimDue(
    settings.db,
    settings.batchSize,
    settings.leaseMs,
  );
  const groups = new Map<string, ClaimedRow[]>();
  // UPDATE … RETURNING gives no order: sort by id, the order of the changes.
  for (const row of rows.sort((a, b) => a.id - b.id)) {
    const key = row.application_id ?? `message:${row.id}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const queue = [...groups.values()];
  const result: BatchResult = { sent: 0, retried: 0, failed: 0 };
  const unsent: ClaimedRow[] = [];
  const runner = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const row of group) {
        if (stopping()) {
          unsent.push(row);
          continue;
        }
        result[await sendOne(settings, row)] += 1;
      }
    }
  };
  const runners = Math.min(settings.concurrency, queue.length);
  await Promise.all(Array.from({ length: runners }, runner));
  await releaseUnsent(settings, unsent);
  return result;
}

export interface OutboxWorker {
  /** Polls now instead of at the next interval. */
  wake(): void;
  /** Stops polling, lets the messages in flight finish within stopGraceMs, and releases the rest. */
  stop(): Promise<void>;
}

/**
 * Starts the outbox worker: polls `mail_outbox` every `pollIntervalMs` and
 * right away again after a full batch. Several workers, in one process or in
 * several instances over one PostgreSQL database, never send one message
 * twice while each send finishes within the lease.
 * NOTE: delivery is at least once. A worker that dies after the SMTP server
 * accepted a message, but before it marked the row sent, leaves the message
 * to be sent again when the lease expires. The stable Message-ID lets mail
 * servers drop that copy.
 */
export function startOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const settings = withDefaults(options);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const schedule = (delayMs: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = poll();
    }, delayMs);
  };

  async function poll(): Promise<void> {
    let full = false;
    try {
      const result = await deliverDueMail(settings, () => stopped);
      full = result.sent + result.retried + result.failed >= settings.batchSize;
    } catch (error) {
      // The database is unreachable or busy: log and try again at the next poll.
      settings.logger.error({ err: error }, "mail outbox poll failed");
    }
    running = undefined;
    schedule(full ? 0 : settings.pollIntervalMs);
  }

  schedule(0);
  settings.logger.info(
    {
      pollIntervalMs: settings.pollIntervalMs,
      maxAttempts: settings.maxAttempts,
    },
    "mail outbox worker started",
  );
  return {
    wake() {
      if (!running) schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // Messages already handed to the SMTP server finish, and no new one starts.
      // A server that does not reply gets stopGraceMs. Then the caller's
      // transport.close() cuts the sends off, and they are retried later.
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<"timeout">((resolve) => {
        graceTimer = setTimeout(() => resolve("timeout"), settings.stopGraceMs);
      });
      const outcome = await Promise.race([running, grace]);
      clearTimeout(graceTimer);
      if (outcome === "timeout") {
        settings.logger.warn(
          { stopGraceMs: settings.stopGraceMs },
          "mail still being sent at shutdown; it is retried once its lease expires",
        );
        return;
      }
      settings.logger.info({}, "mail outbox worker stopped");
    },
  };
}
