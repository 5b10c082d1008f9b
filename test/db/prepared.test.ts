import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  queryPrepared,
  queryRows,
  type Database,
} from "../../src/db/client.js";
import { findPgError } from "../../src/server/database-errors.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  await db.execute(
    sql`create table prepared_probe (id int primary key, note text)`,
  );
});

afterAll(async () => {
  await database?.drop();
});

/** Builds a statement with a column of each type the services read. */
function typedRow(id: number) {
  return sql`select ${id}::int as id, ${"Кабинет «ЦГУ»"}::text as name,
    ${"2026-12-04T10:00:00.123456Z"}::timestamptz as at,
    ${"2026-12-04"}::date as day, interval '90 minutes' as span,
    ${JSON.stringify({ oid: "1000000103", roles: ["a"] })}::jsonb as profile,
    ${true}::boolean as flag, 9007199254740993::bigint as big,
    null::text as missing, ${"4f6b2c1e-8a3d-4b5e-9c7f-0a1b2c3d4e5f"}::uuid as uuid,
    array['test_pp', 'culture']::text[] as codes, 12.50::numeric as amount`;
}

describe("queryPrepared", () => {
  it("returns the rows queryRows returns", async () => {
    const prepared = await queryPrepared<{ at: unknown }>(db, typedRow(1));
    const plain = await queryRows(db, typedRow(1));
    expect(prepared).toEqual(plain);
    expect(prepared).toHaveLength(1);
    // Timestamps stay PostgreSQL's text, as Drizzle's execute() returns them.
    expect(typeof prepared[0]!.at).toBe("string");
  });

  it("takes new values on each call", async () => {
    for (const id of [2, 3, 4, 5, 6, 7, 8]) {
      const [row] = await queryPrepared<{ id: number }>(db, typedRow(id));
      expect(row!.id).toBe(id);
    }
  });

  it("prepares the statement under a name", async () => {
    // The statement lists the connection's prepared statements, itself included.
    const rows = await queryPrepared<{ name: string; statement: string }>(
      db,
      sql`select name, statement from pg_prepared_statements where ${1} = 1`,
    );
    const own = rows.filter((row) =>
      row.statement.includes("from pg_prepared_statements"),
    );
    expect(own).toHaveLength(1);
    expect(own[0]!.name).toMatch(/^gp_/);
  });

  it("reports a constraint error and goes on", async () => {
    await queryPrepared(
      db,
      sql`insert into prepared_probe (id, note) values (${1}, ${"first"})`,
    );
    const error = await queryPrepared(
      db,
      sql`insert into prepared_probe (id, note) values (${1}, ${"again"})`,
    ).catch((caught: unknown) => caught);
    expect(findPgError(error)?.code).toBe("23505");
    expect(findPgError(error)?.constraint).toBe("prepared_probe_pkey");

    const rows = await queryPrepared<{ note: string }>(
      db,
      sql`select note from prepared_probe where id = ${1}`,
    );
    expect(rows).toEqual([{ note: "first" }]);
  });

  it("runs unprepared inside a transaction", async () => {
    const rows = await db.transaction(async (tx) => {
      await queryPrepared(
        tx,
        sql`insert into prepared_probe (id, note) values (${2}, ${"in a transaction"})`,
      );
      return queryPrepared<{ note: string }>(
        tx,
        sql`select note from prepared_probe where id = ${2}`,
      );
    });
    expect(rows).toEqual([{ note: "in a transaction" }]);
  });

  it("keeps concurrent statements apart", async () => {
    // Prepared statements, plain queries and a transaction at once: on
    // PGlite they share one connection and must not interleave.
    const work = Array.from({ length: 40 }, (_, index) => {
      const id = 100 + index;
      if (index % 4 === 0) {
        return db.transaction(async (tx) => {
          await tx.execute(
            sql`insert into prepared_probe (id, note) values (${id}, ${`note ${id}`})`,
          );
          return id;
        });
      }
      const insert = sql`insert into prepared_probe (id, note) values (${id}, ${`note ${id}`})`;
      return (
        index % 2 === 0 ? queryRows(db, insert) : queryPrepared(db, insert)
      ).then(() => id);
    });
    expect(await Promise.all(work)).toHaveLength(40);

    const rows = await queryPrepared<{ id: number; note: string }>(
      db,
      sql`select id, note from prepared_probe where id >= ${100} order by id`,
    );
    expect(rows).toHaveLength(40);
    for (const row of rows) expect(row.note).toBe(`note ${row.id}`);
  });
});
