import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Transporter } from "nodemailer";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Database } from "../../src/db/client.js";
import { mailOutbox } from "../../src/db/schema.js";
import { renderMail } from "../../src/mail/templates.js";
import { createMailTransport } from "../../src/mail/transport.js";
import {
  deliverDueMail,
  retryDelayMs,
  startOutboxWorker,
  type OutboxWorkerOptions,
} from "../../src/mail/worker.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import {
  freePort,
  recordingLogger,
  startSmtpSink,
  waitFor,
} from "./smtp-sink.js";

let database: TestDatabase;
let db: Database;
const cleanups: (() => Promise<void> | void)[] = [];

interface OutboxRow {
  id: number;
  status: string;
  attempts: number;
  last_error: string | null;
  locked_until: Date | null;
  sent_at: Date | null;
  message_id: string | null;
  due_in_seconds: number;
}

async function insertMessage(
  to = "cgu@example.ru",
  applicationId: string | null = null,
): Promise<number> {
  const content = renderMail("application_rejected", {
    reference: "ГП-2026-000042",
    kind: "work",
    cabinetName: "Кабинет ЦГУ",
    organizationName: "СПб ГБУ ЦГУ",
    url: "http://localhost:3000/applications/1",
    reason: "Изменить название кабинета",
  });
  const [row] = await db
    .insert(mailOutbox)
    .values({
      template: "application_rejected",
      toAddress: to,
      subject: content.subject,
      body: content.body,
      applicationId,
    })
    .returning({ id: mailOutbox.id });
  return row!.id;
}

/** Inserts a submitted editorial-cabinet application, with its person and organization. */
async function insertApplication(suffix: string): Promise<string> {
  const oid = `90000000${suffix}`;
  await db.execute(sql`insert into persons (oid, last_name, first_name)
    values (${oid}, 'Петрова', 'Анна') on conflict do nothing`);
  await db.execute(sql`insert into organizations (oid, ogrn, full_name, short_name, type)
    values (${oid}, '1027800001030', 'Комитет', 'Комитет', 'AGENCY') on conflict do nothing`);
  const [row] = await queryRows<{ id: string }>(
    db,
    sql`insert into applications (reference, kind, organization_oid, applicant_oid,
        state, name, region_code, type_code, email, ogrn)
      values (${`ГП-2026-90000${suffix}`}, 'editorial', ${oid}, ${oid}, 'submitted',
        ${`КР ${suffix}`}, '78', 'roiv', 'kr@example.ru', '1027800001030')
      returning id`,
  );
  return row!.id;
}

async function outboxRow(id: number): Promise<OutboxRow> {
  const [row] = await queryRows<OutboxRow>(
    db,
    sql`select id::int as id, status, attempts, last_error, locked_until, sent_at, message_id,
      extract(epoch from next_attempt_at - now())::float8 as due_in_seconds
      from mail_outbox where id = ${id}`,
  );
  return row!;
}

/** Makes a rescheduled message due now, as if its backoff delay had passed. */
async function makeDue(id: number): Promise<void> {
  await db.execute(
    sql`update mail_outbox set next_attempt_at = now() where id = ${id}`,
  );
}

function transportTo(port: number): Transporter {
  const transport = createMailTransport({ catcherPort: port });
  cleanups.push(() => transport.close());
  return transport;
}

function workerOptions(
  port: number,
  overrides: Partial<OutboxWorkerOptions> = {},
): OutboxWorkerOptions {
  return {
    db,
    transport: transportTo(port),
    from: "Госпаблики <noreply@gospubliki.example>",
    logger: recordingLogger(),
    baseDelayMs: 60_000,
    ...overrides,
  };
}

async function sink(options: Parameters<typeof startSmtpSink>[0] = {}) {
  const server = await startSmtpSink(options);
  cleanups.push(() => server.close());
  return server;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await db.execute(sql`delete from mail_outbox`);
});

afterAll(async () => {
  await database?.drop();
});

describe("retryDelayMs", () => {
  it("doubles the delay up to the maximum", () => {
    expect(retryDelayMs(1, 30_000, 3_600_000)).toBe(30_000);
    expect(retryDelayMs(2, 30_000, 3_600_000)).toBe(60_000);
    expect(retryDelayMs(3, 30_000, 3_600_000)).toBe(120_000);
    expect(retryDelayMs(8, 30_000, 3_600_000)).toBe(3_600_000);
    expect(retryDelayMs(40, 30_000, 3_600_000)).toBe(3_600_000);
  });
});

describe("deliverDueMail", () => {
  it("sends a due message once and marks it sent", async () => {
    const server = await sink();
    const id = await insertMessage();
    const options = workerOptions(server.port);

    const first = await deliverDueMail(options);
    const second = await deliverDueMail(options);

    expect(first).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(second).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(server.messages).toHaveLength(1);
    const [message] = server.messages;
    expect(message?.envelopeTo).toEqual(["cgu@example.ru"]);
    expect(message?.subject).toBe("Заявка № ГП-2026-000042 отклонена");
    expect(message?.text).toContain(
      "отклонена по причине:\nИзменить название кабинета",
    );
    expect(message?.from).toBe('"Госпаблики" <noreply@gospubliki.example>');
    expect(message?.outboxId).toBe(String(id));
    expect(message?.messageId).toBe(`<outbox-${id}@gospubliki.example>`);
    const row = await outboxRow(id);
    expect(row.status).toBe("sent");
    expect(row.attempts).toBe(1);
    expect(row.sent_at).not.toBeNull();
    expect(row.locked_until).toBeNull();
    expect(row.message_id).toBe(`<outbox-${id}@gospubliki.example>`);
  });

  it("marks sent mail again after a dropped connection", async () => {
    const server = await sink();
    const id = await insertMessage();
    // The database drops the connection of the first "mark sent" update, as
    // PostgreSQL does on a restart.
    let dropped = 0;
    const flaky = new Proxy(db, {
      get(target, property, receiver) {
        if (property !== "execute")
          return Reflect.get(target, property, receiver);
        return (query: Parameters<Database["execute"]>[0]) => {
          const text = new PgDialect().sqlToQuery(query as SQL).sql;
          if (text.includes("set status = 'sent'") && dropped === 0) {
            dropped += 1;
            return Promise.reject(
              Object.assign(new Error("terminating connection"), {
                code: "57P01",
              }),
            );
          }
          return target.execute(query);
        };
      },
    });

    const result = await deliverDueMail(
      workerOptions(server.port, { db: flaky }),
    );

    expect(dropped).toBe(1);
    expect(result).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(server.messages).toHaveLength(1);
    expect((await outboxRow(id)).status).toBe("sent");
  });

  it("sends to a Cyrillic address", async () => {
    const server = await sink();
    const id = await insertMessage("приемная@минздрав.рф");

    const result = await deliverDueMail(workerOptions(server.port));

    expect(result.sent).toBe(1);
    expect(server.messages[0]?.envelopeTo).toEqual(["приемная@минздрав.рф"]);
    expect((await outboxRow(id)).status).toBe("sent");
  });

  it("leaves messages that are not due or leased", async () => {
    const server = await sink();
    const later = await insertMessage();
    const leased = await insertMessage();
    await db.execute(
      sql`update mail_outbox set next_attempt_at = now() + interval '1 hour' where id = ${later}`,
    );
    await db.execute(
      sql`update mail_outbox set locked_until = now() + interval '1 minute' where id = ${leased}`,
    );

    const result = await deliverDueMail(workerOptions(server.port));

    expect(result).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(server.messages).toHaveLength(0);
    expect((await outboxRow(later)).attempts).toBe(0);
    expect((await outboxRow(leased)).attempts).toBe(0);
  });

  it("takes over a message whose lease expired", async () => {
    const server = await sink();
    const id = await insertMessage();
    await db.execute(
      sql`update mail_outbox set locked_until = now() - interval '1 second', attempts = 1 where id = ${id}`,
    );

    const result = await deliverDueMail(workerOptions(server.port));

    expect(result.sent).toBe(1);
    expect((await outboxRow(id)).attempts).toBe(2);
  });

  it("retries after the SMTP server was down, then delivers", async () => {
    const port = await freePort();
    const id = await insertMessage();
    const logger = recordingLogger();
    const options = workerOptions(port, { logger });

    const down = await deliverDueMail(options);

    expect(down).toEqual({ sent: 0, retried: 1, failed: 0 });
    const afterFailure = await outboxRow(id);
    expect(afterFailure.status).toBe("pending");
    expect(afterFailure.attempts).toBe(1);
    expect(afterFailure.last_error).toMatch(/ECONNREFUSED|connect/i);
    expect(afterFailure.locked_until).toBeNull();
    // The first retry waits baseDelayMs (60 s).
    expect(afterFailure.due_in_seconds).toBeGreaterThan(50);
    expect(afterFailure.due_in_seconds).toBeLessThanOrEqual(60);
    expect(await deliverDueMail(options)).toEqual({
      sent: 0,
      retried: 0,
      failed: 0,
    });

    const server = await sink({ port });
    await makeDue(id);
    const up = await deliverDueMail(options);

    expect(up).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(server.messages).toHaveLength(1);
    const delivered = await outboxRow(id);
    expect(delivered.status).toBe("sent");
    expect(delivered.attempts).toBe(2);
    expect(delivered.last_error).toBeNull();
    expect(logger.lines.map((line) => line.message)).toEqual([
      "mail send failed; will retry",
      "mail sent",
    ]);
  });

  it("doubles the delay after each failure", async () => {
    const port = await freePort();
    const id = await insertMessage();
    const options = workerOptions(port);

    await deliverDueMail(options);
    const first = (await outboxRow(id)).due_in_seconds;
    await makeDue(id);
    await deliverDueMail(options);
    const second = (await outboxRow(id)).due_in_seconds;

    expect(first).toBeGreaterThan(50);
    expect(first).toBeLessThanOrEqual(60);
    expect(second).toBeGreaterThan(110);
    expect(second).toBeLessThanOrEqual(120);
  });

  it("gives up after the attempt limit", async () => {
    const port = await freePort();
    const id = await insertMessage();
    const options = workerOptions(port, { maxAttempts: 2 });

    expect((await deliverDueMail(options)).retried).toBe(1);
    await makeDue(id);
    const last = await deliverDueMail(options);

    expect(last).toEqual({ sent: 0, retried: 0, failed: 1 });
    const row = await outboxRow(id);
    expect(row.status).toBe("failed");
    expect(row.attempts).toBe(2);
    expect(row.last_error).not.toBeNull();
    await makeDue(id);
    expect(await deliverDueMail(options)).toEqual({
      sent: 0,
      retried: 0,
      failed: 0,
    });
  });

  it("gives up at once on a permanent rejection", async () => {
    const server = await sink({ rejectRecipientsWith: 550 });
    const id = await insertMessage("nobody@example.ru");
    const logger = recordingLogger();

    const result = await deliverDueMail(workerOptions(server.port, { logger }));

    expect(result).toEqual({ sent: 0, retried: 0, failed: 1 });
    const row = await outboxRow(id);
    expect(row.status).toBe("failed");
    expect(row.attempts).toBe(1);
    expect(row.last_error).toContain("550");
    const failure = logger.lines.find((line) => line.level === "error");
    expect(failure?.object).toMatchObject({
      outboxId: id,
      template: "application_rejected",
      responseCode: 550,
      permanent: true,
    });
  });

  it("keeps one application's mail in order", async () => {
    // The first message is held at the server, so a second connection would
    // deliver the messages after it first.
    const server = await sink({ delayFirstMessageMs: 300 });
    const applicationIds = [
      await insertApplication("1"),
      await insertApplication("2"),
    ];
    const ids: number[] = [];
    for (const applicationId of applicationIds) {
      for (let n = 0; n < 3; n++)
        ids.push(await insertMessage(undefined, applicationId));
    }

    const result = await deliverDueMail(workerOptions(server.port));

    expect(result.sent).toBe(6);
    for (const applicationId of applicationIds) {
      const own = await queryRows<{ id: number }>(
        db,
        sql`select id::int as id from mail_outbox
          where application_id = ${applicationId} order by id`,
      );
      const arrived = server.messages
        .map((message) => Number(message.outboxId))
        .filter((id) => own.some((row) => row.id === id));
      expect(arrived).toEqual(own.map((row) => row.id));
    }
  });

  it("releases unsent messages when stopping", async () => {
    const server = await sink();
    const first = await insertMessage();
    const second = await insertMessage();
    let sent = 0;

    const result = await deliverDueMail(
      workerOptions(server.port, { concurrency: 1 }),
      () => sent++ > 0,
    );

    expect(result).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect((await outboxRow(first)).status).toBe("sent");
    const released = await outboxRow(second);
    expect(released.status).toBe("pending");
    expect(released.locked_until).toBeNull();
    expect(released.attempts).toBe(0);
  });

  it("logs no address or message text", async () => {
    const server = await sink();
    await insertMessage("secret.person@example.ru");
    const logger = recordingLogger();

    await deliverDueMail(workerOptions(server.port, { logger }));

    const logged = JSON.stringify(logger.lines);
    expect(logged).toContain('"outboxId"');
    expect(logged).not.toContain("secret.person");
    expect(logged).not.toContain("Изменить название");
  });
});

describe("startOutboxWorker", () => {
  it("sends a message written after it started", async () => {
    const server = await sink();
    const worker = startOutboxWorker(
      workerOptions(server.port, { pollIntervalMs: 50 }),
    );
    cleanups.push(() => worker.stop());

    const id = await insertMessage();

    await waitFor(
      async () => (await outboxRow(id)).status === "sent",
      "the worker to send the message",
    );
    expect(server.messages).toHaveLength(1);
  });

  it("stops polling after stop()", async () => {
    const server = await sink();
    const worker = startOutboxWorker(
      workerOptions(server.port, { pollIntervalMs: 20 }),
    );
    await worker.stop();

    const id = await insertMessage();
    // Give a running worker several poll intervals to pick the message up.
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect((await outboxRow(id)).status).toBe("pending");
    expect(server.messages).toHaveLength(0);
  });
});
