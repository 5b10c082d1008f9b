import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { serializeError } from "../../src/log-serializers.js";
import { loggerOptions } from "../../src/server/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";

const ADDRESS = "petrova.personal@example.ru";
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.handle.db.execute(
    sql`create table log_probe (email text primary key)`,
  );
});

afterAll(async () => {
  await database?.drop();
});

/** Inserts the address twice and returns the unique-violation error. */
async function duplicateInsertError(): Promise<unknown> {
  const { db } = database.handle;
  await db.execute(sql`insert into log_probe (email) values (${ADDRESS})`);
  return db
    .execute(sql`insert into log_probe (email) values (${ADDRESS})`)
    .catch((error: unknown) => error);
}

describe("serializeError", () => {
  it("keeps query parameters and detail out of the log", async () => {
    const error = await duplicateInsertError();
    // Drizzle's own message and stack carry the parameter.
    expect(String((error as Error).stack)).toContain(ADDRESS);

    const serialized = serializeError(error);
    expect(JSON.stringify(serialized)).not.toContain(ADDRESS);
    expect(serialized.message).toBe(
      "Failed query: insert into log_probe (email) values ($1)",
    );
    expect(serialized.cause).toMatchObject({
      errorCode: "23505",
      constraint: "log_probe_pkey",
    });
    expect(serialized.stack).toMatch(/^\s+at /);
  });

  it("is the product logger's error serializer", async () => {
    await database.handle.db.execute(sql`delete from log_probe`);
    const error = await duplicateInsertError();
    let output = "";
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    const options = loggerOptions(loadConfig({ LOG_LEVEL: "info" }));
    const logger = pino(options as pino.LoggerOptions, sink);

    logger.error({ err: error }, "request failed");
    expect(output).toContain("Failed query: insert into log_probe");
    expect(output).toContain('"errorCode":"23505"');
    expect(output).not.toContain(ADDRESS);
  });
});
