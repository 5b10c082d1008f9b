import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import {
  PgDialect,
  type PgDatabase,
  type PgQueryResultHKT,
} from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema.js";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; it has the same query API as `Database`. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** Either the database or an open transaction. */
export type Executor = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  /** The underlying PGlite instance or node-postgres pool. */
  client: PGlite | pg.Pool;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; unset means PGlite in `dataDir`. */
  databaseUrl?: string;
  /** Folder of the PGlite data; `memory://` keeps it in memory. */
  dataDir: string;
  /** Size of the node-postgres pool. */
  poolSize?: number;
  /**
   * Called when PostgreSQL closes a pooled connection, e.g. on a server
   * restart or `pg_terminate_backend`. The pool drops that connection and
   * opens a new one when needed. The default writes one line to stderr.
   */
  onConnectionError?: (error: Error & { code?: string }) => void;
}

function reportConnectionError(error: Error & { code?: string }): void {
  process.stderr.write(
    `PostgreSQL closed a pooled connection (${error.code ?? "no code"}: ${error.message}); a new one is opened when needed.\n`,
  );
}

export async function openDatabase(
  options: DatabaseOptions,
): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
    });
    // Without these listeners node-postgres rethrows a closed connection's
    // error as an uncaught exception, and the process stops. The pool emits
    // the error of an idle connection. A checked-out one emits its own, which
    // is dropped here because its current or next query fails with it.
    const onConnectionError =
      options.onConnectionError ?? reportConnectionError;
    pool.on("error", onConnectionError);
    pool.on("connect", (client) => client.on("error", () => {}));
    // Fail at start, not at the first request, when the server is unreachable.
    const connection = await pool.connect();
    connection.release();
    const db = drizzlePostgres(pool, { schema }) as unknown as Database;
    preparedRunners.set(db, postgresPreparedRunner(pool));
    return {
      db,
      kind: "postgres",
      client: pool,
      close: () => pool.end(),
    };
  }
  // PGlite is imported only here, so a PostgreSQL deployment does not load it.
  const { PGlite } = await import("@electric-sql/pglite");
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const { drizzle: drizzlePglite } = await import("drizzle-orm/pglite");
  let releaseLock = () => {};
  if (!options.dataDir.startsWith("memory://")) {
    mkdirSync(options.dataDir, { recursive: true });
    releaseLock = lockDataDir(options.dataDir);
  }
  let client: PGlite;
  try {
    // pg_trgm backs the text search of the review queue (migration 0002).
    client = await PGlite.create(options.dataDir, {
      extensions: { pg_trgm },
    });
  } catch (error) {
    releaseLock();
    throw error;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  const { pglitePreparedRunner } = await import("./pglite-statements.js");
  preparedRunners.set(db, pglitePreparedRunner(client, RAW_TEXT_TYPES));
  return {
    db,
    kind: "pglite",
    client,
    close: async () => {
      await client.close();
      releaseLock();
    },
  };
}

export class DataDirLockedError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `DATA_DIR=${dataDir} is in use by process ${pid}: PGlite allows one process per folder. Stop that process first, or set DATA_DIR to another folder.`,
    );
    this.name = "DataDirLockedError";
  }
}

/**
 * Takes the PGlite folder for this process with a lock file holding the
 * process id, because two processes writing one PGlite folder corrupt it.
 * A lock left by a process that no longer runs is taken over.
 * NOTE: a reused process id of an unrelated live process also blocks; delete
 * the lock file by hand then.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, "gospubliki.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: "wx" });
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(lockPath, "utf8").trim());
      if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
        throw new DataDirLockedError(dataDir, owner);
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not take the lock file ${lockPath}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs raw SQL and returns its rows. PGlite and node-postgres both return an
 * object with `rows`. node-postgres returns bigint and numeric columns as
 * strings, so cast counts to `int` in SQL.
 */
export async function queryRows<Row>(db: Executor, query: SQL): Promise<Row[]> {
  const result = (await db.execute(query)) as unknown as { rows: Row[] };
  return result.rows;
}

/** Runs one statement as a named prepared statement and returns its rows. */
export interface PreparedRunner {
  run(
    name: string,
    text: string,
    params: unknown[],
  ): Promise<Record<string, unknown>[]>;
}

const preparedRunners = new WeakMap<object, PreparedRunner>();
const dialect = new PgDialect();

/** Distinct statements each database prepares at most; the rest run unprepared. */
const MAX_PREPARED = 200;
const preparedNames = new WeakMap<object, Set<string>>();

/**
 * Type ids that Drizzle's `execute()` leaves as PostgreSQL's text:
 * timestamp, timestamptz, interval, date, and arrays of those and numeric.
 */
const RAW_TEXT_TYPES: ReadonlySet<number> = new Set([
  1114, 1184, 1186, 1082, 1115, 1185, 1187, 1182, 1231,
]);

function postgresPreparedRunner(pool: pg.Pool): PreparedRunner {
  const rawText = (value: string) => value;
  const types = {
    getTypeParser: (typeId: number, format?: "text" | "binary") =>
      RAW_TEXT_TYPES.has(typeId)
        ? rawText
        : pg.types.getTypeParser(typeId, format),
  };
  return {
    // node-postgres parses a named statement once per connection and then
    // sends only bind and execute.
    run: async (name, text, params) =>
      (await pool.query({ name, text, values: params, types })).rows,
  };
}

/**
 * Runs raw SQL as queryRows does, but as a named prepared statement, so that
 * PostgreSQL parses and plans it once per connection, not on every call. Use
 * it for the statements of the busiest requests. In a transaction, and past
 * MAX_PREPARED distinct texts, it runs the statement unprepared.
 */
export async function queryPrepared<Row>(
  db: Executor,
  query: SQL,
): Promise<Row[]> {
  const runner = preparedRunners.get(db);
  if (!runner) return queryRows<Row>(db, query);
  const { sql: text, params } = dialect.sqlToQuery(query);
  // The name follows from the text, so that statements whose text depends on
  // the input (a list of values) get a statement each.
  const name = `gp_${createHash("sha256").update(text).digest("base64url").slice(0, 24)}`;
  let names = preparedNames.get(db);
  if (!names) {
    names = new Set();
    preparedNames.set(db, names);
  }
  if (!names.has(name)) {
    if (names.size >= MAX_PREPARED) return queryRows<Row>(db, query);
    names.add(name);
  }
  return (await runner.run(name, text, params)) as Row[];
}
