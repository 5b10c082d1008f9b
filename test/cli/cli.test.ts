import { spawnSync } from "node:child_process";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countOutbox, retryFailedMail } from "../../src/cli/mail.js";
import {
  addSphere,
  CliError,
  listSpheres,
  retireSphere,
} from "../../src/cli/spheres.js";
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
    expect(await retryFailedMail(database.handle.db, [])).toBe(1);
    expect(await countOutbox(database.handle.db)).toEqual({
      pending: 1,
      sent: 1,
      failed: 0,
    });
  });
});

describe("cli arguments", () => {
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      {
        encoding: "utf8",
        env: { ...process.env, DATA_DIR: "memory://" },
      },
    );

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
