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
}

export const DEFAULT_LEASE_MS = 5 * 60_000;
const DEFAULTS = {
  pollIntervalMs: 1000,
  batchSize: 20,
  leaseMs: DEFAULT_LEASE_MS,
  maxAttempts: 12,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
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

/** A message the SMTP server accepted, still to be marked sent. */
interface Accepted {
  row: ClaimedRow;
  messageId: string | null;
}

/** Sends one message; a failure is recorded on its row right away. */
async function sendOne(
  options: WorkerSettings,
  row: ClaimedRow,
): Promise<Accepted | "retried" | "failed"> {
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
    return {
      row,
      messageId: typeof info.messageId === "string" ? info.messageId : null,
    };
  } catch (error) {
    return recordFailure(options, row, error);
  }
}

/**
 * Marks the accepted messages sent in one statement (one commit for the
 * batch), each only while this worker's lease on it still holds.
 */
async function markSent(
  options: WorkerSettings,
  accepted: Accepted[],
): Promise<void> {
  if (accepted.length === 0) return;
  const values = sql.join(
    accepted.map(
      ({ row, messageId }) =>
        sql`(${row.id}::bigint, ${messageId}::text, ${row.lease}::timestamptz)`,
    ),
    sql`, `,
  );
  const updated = await queryRows<{ id: number }>(
    options.db,
    sql`update mail_outbox as m
      set status = 'sent', sent_at = now(), locked_until = null,
        last_error = null, message_id = v.message_id
      from (values ${values}) as v (id, message_id, lease)
      where m.id = v.id and m.locked_until = v.lease
      returning m.id::int as id`,
  );
  const marked = new Set(updated.map((row) => row.id));
  for (const { row } of accepted) {
    const context = {
      outboxId: row.id,
      template: row.template,
      applicationId: row.application_id,
      attempt: row.attempts,
    };
    if (!marked.has(row.id)) {
      options.logger.warn(
        context,
        "mail sent after its lease expired; another worker may send it again",
      );
    }
    options.logger.info(context, "mail sent");
  }
}

async function recordFailure(
  options: WorkerSettings,
  row: ClaimedRow,
  error: unknown,
): Promise<"retried" | "failed"> {
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
  };
}

/**
 * Claims one batch of due messages and sends them all at once, after the
 * claim has committed; a pooled transport spreads them over its connections.
 * Returns how many were sent, rescheduled and given up.
 */
export async function deliverDueMail(
  options: OutboxWorkerOptions,
): Promise<BatchResult> {
  const settings = withDefaults(options);
  const rows = await claimDue(
    settings.db,
    settings.batchSize,
    settings.leaseMs,
  );
  const outcomes = await Promise.all(rows.map((row) => sendOne(settings, row)));
  const accepted = outcomes.filter(
    (outcome): outcome is Accepted => typeof outcome === "object",
  );
  await markSent(settings, accepted);
  return {
    sent: accepted.length,
    retried: outcomes.filter((outcome) => outcome === "retried").length,
    failed: outcomes.filter((outcome) => outcome === "failed").length,
  };
}

export interface OutboxWorker {
  /** Polls now instead of at the next interval. */
  wake(): void;
  /** Stops polling and waits for the batch in progress. */
  stop(): Promise<void>;
}

/**
 * Starts the outbox worker: polls `mail_outbox` every `pollIntervalMs` and
 * right away again after a full batch. Several workers, in one process or in
 * several instances over one PostgreSQL database, never send one message
 * twice while each send finishes within the lease.
 * NOTE: delivery is at least once. A worker that dies after the SMTP server
 * accepted a message, but before it marked the row sent (once per batch),
 * leaves the message to be sent again when the lease expires. The stable
 * Message-ID lets mail servers drop that copy.
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
      const result = await deliverDueMail(settings);
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
      await running;
      settings.logger.info({}, "mail outbox worker stopped");
    },
  };
}
