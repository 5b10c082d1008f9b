import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  openDatabase,
  queryRows,
  type DatabaseHandle,
} from "../../src/db/client.js";
import { mailOutbox } from "../../src/db/schema.js";
import { createMailTransport } from "../../src/mail/transport.js";
import {
  deliverDueMail,
  startOutboxWorker,
  type OutboxWorkerOptions,
} from "../../src/mail/worker.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import {
  recordingLogger,
  startSmtpSink,
  waitFor,
  type SmtpSink,
} from "./smtp-sink.js";

const MESSAGES = 40;

let database: TestDatabase;
/** A second connection pool to the same database, as a second instance of the service has. */
let second: DatabaseHandle | undefined;
let server: SmtpSink;

beforeAll(async () => {
  database = await createTestDatabase();
  // PGlite is one in-process database: both workers share its handle there.
  if (database.url) {
    second = await openDatabase({
      databaseUrl: database.url,
      dataDir: "",
      poolSize: 3,
    });
  }
  server = await startSmtpSink();
});

afterAll(async () => {
  await server?.close();
  await second?.close();
  await database?.drop();
});

async function insertMessages(prefix: string): Promise<number[]> {
  const rows = await database.handle.db
    .insert(mailOutbox)
    .values(
      Array.from({ length: MESSAGES }, (_, index) => ({
        template: "review_requested",
        toAddress: `reviewer${index}@example.ru`,
        subject: `${prefix} ${index}`,
        body: "Поступила новая заявка на подключение кабинета.",
      })),
    )
    .returning({ id: mailOutbox.id });
  return rows.map((row) => row.id);
}

function worker(db: DatabaseHandle["db"]): OutboxWorkerOptions {
  return {
    db,
    transport: createMailTransport({ catcherPort: server.port }),
    from: "Госпаблики <noreply@gospubliki.example>",
    logger: recordingLogger(),
    batchSize: 5,
  };
}

function deliveriesById(ids: number[]): Map<number, number> {
  const counts = new Map(ids.map((id) => [id, 0]));
  for (const message of server.messages) {
    const id = Number(message.outboxId);
    if (counts.has(id)) counts.set(id, counts.get(id)! + 1);
  }
  return counts;
}

it("sends each message once with two workers polling at once", async () => {
  const ids = await insertMessages("batch");
  const first = worker(database.handle.db);
  const other = worker(second?.db ?? database.handle.db);
  const totals = { first: 0, other: 0 };

  for (let round = 0; round < MESSAGES; round++) {
    const [a, b] = await Promise.all([
      deliverDueMail(first),
      deliverDueMail(other),
    ]);
    totals.first += a.sent;
    totals.other += b.sent;
    if (a.sent + b.sent === 0) break;
  }

  const counts = deliveriesById(ids);
  expect([...counts.values()].filter((count) => count !== 1)).toEqual([]);
  expect(totals.first + totals.other).toBe(MESSAGES);
  expect(totals.first).toBeGreaterThan(0);
  expect(totals.other).toBeGreaterThan(0);
  const [row] = await queryRows<{ sent: number; attempts: number }>(
    database.handle.db,
    sql`select count(*) filter (where status = 'sent')::int as sent,
      max(attempts)::int as attempts
      from mail_outbox where id = any(${`{${ids.join(",")}}`}::bigint[])`,
  );
  expect(row).toEqual({ sent: MESSAGES, attempts: 1 });
});

it("sends each message once with two running workers", async () => {
  const ids = await insertMessages("running");
  const workers = [
    startOutboxWorker({ ...worker(database.handle.db), pollIntervalMs: 10 }),
    startOutboxWorker({
      ...worker(second?.db ?? database.handle.db),
      pollIntervalMs: 10,
    }),
  ];

  try {
    await waitFor(async () => {
      const [row] = await queryRows<{ pending: number }>(
        database.handle.db,
        sql`select count(*)::int as pending from mail_outbox where status <> 'sent'`,
      );
      return row?.pending === 0;
    }, "both workers to send every message");
  } finally {
    for (const running of workers) await running.stop();
  }

  const counts = deliveriesById(ids);
  expect(counts.size).toBe(MESSAGES);
  expect([...counts.values()].filter((count) => count !== 1)).toEqual([]);
});
