import { rmSync } from "node:fs";
import pg from "pg";
import { openDatabase, type DatabaseHandle } from "../src/db/client.js";
import { migrateDatabase } from "../src/db/migrate.js";
import type { PGlite } from "@electric-sql/pglite";
import type { RunSql } from "./generate.js";

/** Connection URL of the server's maintenance database, for CREATE/DROP DATABASE. */
export const ADMIN_URL =
  process.env.BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Returns the URL of database `name` on the server of `ADMIN_URL`. */
export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops the database if it exists, closing its connections first. */
export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((client) =>
    client.query(`drop database if exists "${name}" with (force)`),
  );
}

/** Creates an empty database, dropping an earlier one of the same name. */
export async function createDatabase(name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(
      `database name "${name}" is invalid: use lower-case letters, digits and _`,
    );
  }
  await dropDatabase(name);
  await withAdmin((client) => client.query(`create database "${name}"`));
  return databaseUrl(name);
}

/** Opens a PostgreSQL database, applies the migrations and returns the handle. */
export async function openMigratedPostgres(
  url: string,
): Promise<DatabaseHandle> {
  const handle = await openDatabase({
    databaseUrl: url,
    dataDir: "unused",
    poolSize: 2,
  });
  await migrateDatabase(handle);
  return handle;
}

/** Creates a fresh PGlite data folder, applies the migrations and returns the handle. */
export async function openMigratedPglite(
  dataDir: string,
): Promise<DatabaseHandle> {
  rmSync(dataDir, { recursive: true, force: true });
  const handle = await openDatabase({ dataDir });
  await migrateDatabase(handle);
  return handle;
}

/** Returns a `RunSql` over PGlite (no parameters, several statements allowed). */
export function pgliteRunner(handle: DatabaseHandle): RunSql {
  const client = handle.client as PGlite;
  return async (statement) => {
    const results = await client.exec(statement);
    return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
  };
}

/**
 * Connects one session for bulk loading: commits do not wait for the WAL
 * flush, and index builds get more memory and parallel workers.
 */
export async function connectBulkLoader(
  url: string,
): Promise<{ run: RunSql; close: () => Promise<void> }> {
  const client = new pg.Client({
    connectionString: url,
    options:
      "-c synchronous_commit=off -c maintenance_work_mem=512MB -c max_parallel_maintenance_workers=2 -c work_mem=64MB",
  });
  await client.connect();
  return {
    run: async (statement) => (await client.query(statement)).rows,
    close: () => client.end(),
  };
}

/** Runs one query and returns its rows, on either kind of database. */
export async function queryAll<Row>(
  handle: DatabaseHandle,
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  if (handle.kind === "pglite") {
    const result = await (handle.client as PGlite).query<Row>(text, values);
    return result.rows;
  }
  const result = await (handle.client as pg.Pool).query(text, values);
  return result.rows as Row[];
}
