import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/node-postgres/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { drizzle } from "drizzle-orm/node-postgres";
import type pg from "pg";
import type { DatabaseHandle } from "./client.js";
import { seedReferenceData } from "./reference-data.js";

export const MIGRATIONS_FOLDER = fileURLToPath(
  new URL("../../drizzle", import.meta.url),
);

/** Arbitrary constant key of the advisory lock that serializes migrations. */
const MIGRATION_LOCK_KEY = 7_326_491_001;

/**
 * Applies the SQL migrations in `drizzle/` and loads the reference data.
 * On PostgreSQL an advisory lock lets several instances start at once.
 */
export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === "pglite") {
    await migratePglite(handle.db as unknown as PgliteDatabase, {
      migrationsFolder: MIGRATIONS_FOLDER,
    });
  } else {
    // The lock belongs to a session, so lock, migrate and unlock on one connection.
    const connection = await (handle.client as pg.Pool).connect();
    try {
      const db = drizzle(connection);
      await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
      try {
        await migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
      }
    } finally {
      connection.release();
    }
  }
  await seedReferenceData(handle.db);
}
