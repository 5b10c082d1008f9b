import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { queryRows } from "../../src/db/client.js";
import {
  CATCHER_MAX_MESSAGE_BYTES,
  startMailCatcher,
  type MailCatcher,
} from "../../src/mail/catcher.js";
import { createMailTransport } from "../../src/mail/transport.js";
import { buildApp } from "../../src/server/app.js";
import { startOutboxWorker } from "../../src/mail/worker.js";
import {
  cguApplication,
  signInEveryone,
  startReviewApp,
  submitThroughApi,
  type ReviewTestApp,
} from "../api/review-setup.js";
import { recordingLogger, waitFor } from "./smtp-sink.js";

let t: ReviewTestApp;
let catcher: MailCatcher;

interface MailList {
  items: {
    id: number;
    from: string | null;
    to: string[];
    subject: string | null;
    receivedAt: string;
  }[];
  nextBefore: number | null;
}

async function caughtCount(): Promise<number> {
  const [row] = await queryRows<{ count: number }>(
    t.db,
    sql`select count(*)::int as count from caught_mail`,
  );
  return row?.count ?? 0;
}

beforeAll(async () => {
  t = await startReviewApp();
  catcher = await startMailCatcher({
    db: t.db,
    port: 0,
    logger: recordingLogger(),
  });
});

afterAll(async () => {
  await catcher?.close();
  await t?.close();
});

describe("mail catcher", () => {
  it("stores a message sent over SMTP", async () => {
    const transport = createMailTransport({ catcherPort: catcher.port });
    await transport.sendMail({
      from: "Госпаблики <noreply@gospubliki.example>",
      to: "приемная@минздрав.рф",
      subject: "Заявка № ГП-2026-000001 принята на рассмотрение",
      text: "Статус: на рассмотрении",
    });
    transport.close();

    const [row] = await queryRows<{
      envelope_from: string;
      envelope_to: string[];
      subject: string;
      raw: string;
    }>(
      t.db,
      sql`select envelope_from, envelope_to, subject, raw from caught_mail order by id desc limit 1`,
    );
    expect(row?.envelope_from).toBe("noreply@gospubliki.example");
    expect(row?.envelope_to).toEqual(["приемная@минздрав.рф"]);
    expect(row?.subject).toBe(
      "Заявка № ГП-2026-000001 принята на рассмотрение",
    );
    expect(row?.raw).toContain("Subject:");
  });

  it("rejects a message over the size limit", async () => {
    const before = await caughtCount();
    const transport = createMailTransport({ catcherPort: catcher.port });

    await expect(
      transport.sendMail({
        from: "noreply@gospubliki.example",
        to: "a@example.ru",
        subject: "Большое письмо",
        text: "я".repeat(CATCHER_MAX_MESSAGE_BYTES),
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
    transport.close();

    expect(await caughtCount()).toBe(before);
  });
});

describe("mail pages", () => {
  it("list and show the mail of a submitted application", async () => {
    const worker = startOutboxWorker({
      db: t.db,
      transport: createMailTransport({ catcherPort: catcher.port }),
      from: "Госпаблики <noreply@gospubliki.example>",
      logger: recordingLogger(),
      pollIntervalMs: 50,
    });
    const as = await signInEveryone(t.db);
    const before = await caughtCount();
    let reference: string;
    try {
      const id = await submitThroughApi(t.app, as.petrov, cguApplication());
      const [application] = await queryRows<{ reference: string }>(
        t.db,
        sql`select reference from applications where id = ${id}`,
      );
      reference = application!.reference;
      await waitFor(
        async () => (await caughtCount()) === before + 2,
        "the applicant's and the reviewers' messages",
      );
    } finally {
      await worker.stop();
    }

    const list = await t.app.inject({ method: "GET", url: "/api/mail" });
    expect(list.statusCode).toBe(200);
    const body = list.json<MailList>();
    const [newest, previous] = body.items;
    const subjects = [newest?.subject, previous?.subject].sort();
    expect(subjects).toEqual([
      `Заявка № ${reference} принята на рассмотрение`,
      `Новая заявка № ${reference} ждёт рассмотрения`,
    ]);
    const applicantMail = body.items.find((item) =>
      item.to.includes("cgu@example.ru"),
    )!;
    expect(applicantMail.from).toBe("noreply@gospubliki.example");

    const message = await t.app.inject({
      method: "GET",
      url: `/api/mail/${applicantMail.id}`,
    });
    expect(message.statusCode).toBe(200);
    const shown = message.json();
    expect(shown.to).toEqual(["cgu@example.ru"]);
    expect(shown.headerTo).toBe("cgu@example.ru");
    expect(shown.text).toContain(`Заявка № ${reference}`);
    expect(shown.text).toContain("Статус: на рассмотрении");
    expect(shown.messageId).toMatch(/^<outbox-\d+@gospubliki\.example>$/);
  });

  it("page older messages with before", async () => {
    const first = (
      await t.app.inject({ method: "GET", url: "/api/mail?limit=1" })
    ).json<MailList>();
    const second = (
      await t.app.inject({
        method: "GET",
        url: `/api/mail?limit=1&before=${first.nextBefore}`,
      })
    ).json<MailList>();

    expect(first.items).toHaveLength(1);
    expect(second.items).toHaveLength(1);
    expect(second.items[0]!.id).toBeLessThan(first.items[0]!.id);
  });

  it("answer 404 for an unknown message", async () => {
    const response = await t.app.inject({
      method: "GET",
      url: "/api/mail/999999",
    });

    expect(response.statusCode).toBe(404);
  });

  it("answer only this machine", async () => {
    const remote = await t.app.inject({
      method: "GET",
      url: "/api/mail",
      remoteAddress: "203.0.113.5",
      headers: { "x-forwarded-for": "127.0.0.1" },
    });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().message).toContain("только на компьютере");

    for (const address of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
      const local = await t.app.inject({
        method: "GET",
        url: "/api/mail",
        remoteAddress: address,
      });
      expect(local.statusCode, address).toBe(200);
    }

    // The rule covers the mail pages only.
    const other = await t.app.inject({
      method: "GET",
      url: "/api/dictionaries",
      remoteAddress: "203.0.113.5",
    });
    expect(other.statusCode).toBe(401);
  });

  it("do not exist when SMTP_URL is set", async () => {
    const production = await buildApp(
      {
        config: loadConfig({
          LOG_LEVEL: "silent",
          SMTP_URL: "smtp://127.0.0.1:2525",
        }),
        database: t.database.handle,
      },
      { logger: false },
    );
    try {
      const response = await production.inject({
        method: "GET",
        url: "/api/mail",
      });
      expect(response.statusCode).toBe(404);
    } finally {
      await production.close();
    }
  });
});
