import { spawnSync } from "node:child_process";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countOutbox, retryFailedMail } from "../../src/cli/mail.js";
import {
  addSphere,
  CliError,
  listSpheres,
  renameSphere,
  retireSphere,
} from "../../src/cli/spheres.js";
import { queryRows } from "../../src/db/client.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

describe("spheres commands", () => {
  it("adds a sphere that forms then offer", async () => {
    expect(
      await addSphere(database.handle.db, "archives", "  Архивное   дело "),
    ).toBe("added");
    const offered = await listSpheres(database.handle.db, false);
    expect(offered.find((sphere) => sphere.code === "archives")?.name).toBe(
      "Архивное дело",
    );
  });

  it("retires a sphere but keeps it in the full list", async () => {
    expect(await retireSphere(database.handle.db, "test_gp")).toBe("retired");
    expect(await retireSphere(database.handle.db, "test_gp")).toBe(
      "already retired",
    );
    const offered = await listSpheres(database.handle.db, false);
    const all = await listSpheres(database.handle.db, true);
    expect(offered.some((sphere) => sphere.code === "test_gp")).toBe(false);
    expect(
      all.find((sphere) => sphere.code === "test_gp")?.retiredAt,
    ).toBeInstanceOf(Date);
  });

  it("restores a retired sphere by adding it again", async () => {
    expect(
      await addSphere(database.handle.db, "test_gp", "Тестовая сфера ГП"),
    ).toBe("restored");
    const offered = await listSpheres(database.handle.db, false);
    expect(offered.some((sphere) => sphere.code === "test_gp")).toBe(true);
  });

  it.each([
    ["Bad Code", "Архив", 'Sphere code "Bad Code" is invalid'],
    ["archives2", "Архивное дело", 'already used by sphere "archives"'],
    ["archives3", "x", "use 2–200 characters"],
  ])("rejects code %j with name %j", async (code, name, message) => {
    await expect(addSphere(database.handle.db, code, name)).rejects.toThrow(
      CliError,
    );
    await expect(addSphere(database.handle.db, code, name)).rejects.toThrow(
      message,
    );
  });

  it("rejects adding an active sphere's code", async () => {
    const adding = addSphere(database.handle.db, "test_pp", "Дубликат");
    await expect(adding).rejects.toThrow(CliError);
    await expect(adding).rejects.toThrow(
      'Sphere "test_pp" already exists as "Тестовая сфера ПП"',
    );
    await expect(adding).rejects.toThrow(
      "npm run cli -- spheres rename test_pp <name>",
    );
    const all = await listSpheres(database.handle.db, true);
    expect(all.find((sphere) => sphere.code === "test_pp")?.name).toBe(
      "Тестовая сфера ПП",
    );
  });

  it("renaming keeps a sphere retired", async () => {
    await addSphere(database.handle.db, "old_media", "Старые медиа");
    await retireSphere(database.handle.db, "old_media");
    expect(
      await renameSphere(database.handle.db, "old_media", " Печатные  СМИ "),
    ).toBe('renamed from "Старые медиа" to "Печатные СМИ"');
    expect(
      await renameSphere(database.handle.db, "old_media", "Печатные СМИ"),
    ).toBe("already has this name");
    const all = await listSpheres(database.handle.db, true);
    const renamed = all.find((sphere) => sphere.code === "old_media");
    expect(renamed?.name).toBe("Печатные СМИ");
    expect(renamed?.retiredAt).toBeInstanceOf(Date);
  });

  it.each([
    ["nope", "Новая сфера", 'Sphere "nope" does not exist'],
    ["test_pp", "Тестовая сфера ГП", 'already used by sphere "test_gp"'],
    ["test_pp", "x", "use 2–200 characters"],
  ])("rejects renaming %j to %j", async (code, name, message) => {
    const renaming = renameSphere(database.handle.db, code, name);
    await expect(renaming).rejects.toThrow(CliError);
    await expect(renaming).rejects.toThrow(message);
  });

  it("rejects retiring an unknown sphere", async () => {
    await expect(retireSphere(database.handle.db, "nope")).rejects.toThrow(
      'Sphere "nope" does not exist',
    );
  });
});

describe("mail commands", () => {
  it("requeues failed messages only", async () => {
    await database.handle.db.execute(sql`
      insert into mail_outbox (template, to_address, subject, body, status, attempts)
      values ('application_submitted', 'a@example.ru', 's', 'b', 'failed', 12),
             ('application_submitted', 'b@example.ru', 's', 'b', 'sent', 1)`);
    expect(await countOutbox(database.handle.db)).toEqual({
      pending: 0,
      sent: 1,
      failed: 1,
    });
    const outcome = await retryFailedMail(database.handle.db, []);
    expect(outcome.requeued).toHaveLength(1);
    expect(outcome.skipped).toEqual([]);
    expect(await countOutbox(database.handle.db)).toEqual({
      pending: 1,
      sent: 1,
      failed: 0,
    });
  });

  it("reports given ids it did not requeue", async () => {
    const rows = await queryRows<{ id: number }>(
      database.handle.db,
      sql`
      insert into mail_outbox (template, to_address, subject, body, status, attempts)
      values ('application_submitted', 'c@example.ru', 's', 'b', 'failed', 12),
             ('application_submitted', 'd@example.ru', 's', 'b', 'sent', 1)
      returning id`,
    );
    expect(rows).toHaveLength(2);
    const [failedId, sentId] = rows.map((row) => Number(row.id)) as [
      number,
      number,
    ];
    const outcome = await retryFailedMail(database.handle.db, [
      failedId,
      sentId,
      999999,
      999999,
    ]);
    expect(outcome.requeued).toEqual([failedId]);
    expect(outcome.skipped).toEqual([
      { id: sentId, status: "sent" },
      { id: 999999, status: null },
    ]);
  });
});

describe("cli arguments", () => {
  // The CLI runs on a fresh in-memory PGlite, or on this file's fresh
  // PostgreSQL database when DATABASE_URL is set.
  const run = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: "memory://" };
    if (database.url) env.DATABASE_URL = database.url;
    return spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { encoding: "utf8", env },
    );
  };

  it("rejects an unknown command with the usage", () => {
    const result = run("bogus");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Unknown command "bogus"');
    expect(result.stderr).toContain("Usage: npm run cli");
  });

  it("rejects an unknown option", () => {
    const result = run("--wat");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Unknown option '--wat'");
  });

  it.each([
    [["spheres", "add", "code", "name", "extra"], "spheres add <code> <name>"],
    [["spheres", "list", "extra"], "spheres list [--all]"],
    [["spheres", "retire", "code", "extra"], "spheres retire <code>"],
    [["mail", "status", "extra"], "mail status"],
    [["operators", "extra"], "operators"],
    [["config", "extra"], "config"],
    [["migrate", "extra"], "migrate"],
  ])("rejects an extra argument in %j", (args, usage) => {
    const command = usage.split(/ [<[]/)[0];
    const result = run(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      `Unexpected argument "extra" for ${command}.`,
    );
    expect(result.stderr).toContain(`Usage: npm run cli -- ${usage}\n`);
  });

  it("names every extra argument", () => {
    const result = run("operators", "one", "two");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'Unexpected arguments "one", "two" for operators.',
    );
  });

  it("names a missing argument", () => {
    const result = run("spheres", "add", "archives");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Missing argument <name> for spheres add.");
    expect(result.stderr).toContain(
      'Example: npm run cli -- spheres add archives "Архивное дело"',
    );
  });

  it("rejects --all outside spheres list", () => {
    const result = run("operators", "--all");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "The --all option applies only to spheres list, not to operators.",
    );
  });

  it.each([
    ["spheres", "list, add, rename or retire", "spheres retire <code>"],
    ["mail", "status or retry", "mail retry [id ...]"],
  ])("lists the subcommands of bare %s", (group, names, helpLine) => {
    const result = run(group);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`Missing ${group} command: use ${names}.`);
    expect(result.stderr).toContain(helpLine);
  });

  it("names an unknown subcommand", () => {
    const result = run("spheres", "bogus");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'Unknown spheres command "bogus": use list, add, rename or retire.',
    );
  });

  it("rejects adding an existing sphere", () => {
    const result = run("spheres", "add", "test_pp", "Дубликат");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Sphere "test_pp" already exists');
    expect(result.stdout).toBe("");
  });

  it("exits 1 when mail retry skips an id", () => {
    const result = run("mail", "retry", "999999");
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("0 failed message(s) requeued");
    expect(result.stderr).toContain(
      "Outbox message 999999 was not requeued: not found.",
    );
  });

  it("names a bad environment variable", () => {
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "operators"],
      {
        encoding: "utf8",
        env: { ...process.env, PLATFORM_OPERATORS: "1000000006:80" },
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("PLATFORM_OPERATORS is invalid");
    expect(result.stderr).toContain("unknown region codes 80");
  });
});
