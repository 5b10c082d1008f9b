import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { openDatabase, queryRows, type Database } from "../../src/db/client.js";
import * as schema from "../../src/db/schema.js";
import { buildApp } from "../../src/server/app.js";
import { freePort } from "../esia/helpers.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";

// PostgreSQL closes connections on a restart, a failover or
// pg_terminate_backend. node-postgres reports that as an 'error' event, and
// an 'error' event without a listener stops the process. The first check
// runs on PostgreSQL only, because PGlite has no connections. The second
// needs no server: its database is a port where none listens.

const serverUrl = process.env.DATABASE_URL;
let database: TestDatabase | undefined;
let pool: pg.Pool | undefined;
let checkedOutClient: pg.PoolClient | undefined;

afterAll(async () => {
  checkedOutClient?.release(true);
  await pool?.end();
  await database?.drop();
});

async function terminateOtherBackends(name: string): Promise<number> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const result = await admin.query<{ pid: number }>(
      `select pg_terminate_backend(pid) as ended, pid from pg_stat_activity
       where datname = $1 and pid <> pg_backend_pid()`,
      [name],
    );
    return result.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe.skipIf(!serverUrl)("closed PostgreSQL connections", () => {
  it("survives and reconnects", async () => {
    // A database of its own: the terminations must hit no other test.
    database = await createTestDatabase();
    const reported: { code?: string }[] = [];
    const handle = await openDatabase({
      databaseUrl: database.url,
      dataDir: "",
      poolSize: 3,
      onConnectionError: (error) => reported.push({ code: error.code }),
    });
    pool = handle.client as pg.Pool;
    // One connection checked out, as a transaction keeps it between two
    // statements, and one idle in the pool after a query.
    const checkedOut = await pool.connect();
    checkedOutClient = checkedOut;
    const [row] = await queryRows<{ name: string }>(
      handle.db,
      sql`select current_database() as name`,
    );
    const name = row!.name;
    expect(pool.idleCount).toBe(1);

    expect(await terminateOtherBackends(name)).toBeGreaterThanOrEqual(2);
    for (let wait = 0; wait < 50 && reported.length === 0; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // The idle connection's error is reported with its SQLSTATE (57P01,
    // admin_shutdown). The checked-out one fails its next query instead.
    expect(reported).toEqual([{ code: "57P01" }]);
    await expect(checkedOut.query("select 1")).rejects.toThrow();
    checkedOut.release(true);
    checkedOutClient = undefined;

    const after = await queryRows<{ one: number }>(
      handle.db,
      sql`select 1 as one`,
    );
    expect(after).toEqual([{ one: 1 }]);
  });
});

describe("unreachable database", () => {
  it("answers 503 with Retry-After", async () => {
    // A pool aimed at a closed port, as when PostgreSQL is down.
    const pool = new pg.Pool({
      connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/none`,
    });
    const app = await buildApp(
      {
        config: loadConfig({ LOG_LEVEL: "silent" }),
        database: {
          db: drizzle(pool, { schema }) as unknown as Database,
          kind: "postgres",
          client: pool,
          close: () => pool.end(),
        },
      },
      { logger: false },
    );
    try {
      const response = await app.inject({
        method: "GET",
        url: "/api/session",
        headers: { cookie: "gp_session=any-token" },
      });

      expect(response.statusCode).toBe(503);
      expect(response.headers["retry-after"]).toBe("30");
      expect(response.json()).toMatchObject({
        error: "unavailable",
        message: "Сервис временно недоступен. Повторите попытку через минуту.",
      });
    } finally {
      await app.close();
      await pool.end();
    }
  });
});
