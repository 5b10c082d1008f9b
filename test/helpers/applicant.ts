import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { loadConfig } from "../../src/config.js";
import { queryRows, type Database } from "../../src/db/client.js";
import {
  DEMO_EDITORIAL_CABINETS,
  loadDemoData,
} from "../../src/db/demo-data.js";
import { cabinets, organizations } from "../../src/db/schema.js";
import { buildApp, type App } from "../../src/server/app.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

export const KR_ROIV = DEMO_EDITORIAL_CABINETS[0].id;
export const KR_OMSU = DEMO_EDITORIAL_CABINETS[1].id;

export interface ApplicantTestApp {
  database: TestDatabase;
  db: Database;
  app: App;
  close(): Promise<void>;
}

/**
 * Builds the product on a fresh database with the demo editorial cabinets
 * «КР РОИВ» and «КР ОМСУ» of Санкт-Петербург.
 */
export async function startApplicantApp(): Promise<ApplicantTestApp> {
  const database = await createTestDatabase();
  await loadDemoData(database.handle.db);
  const app = await buildApp(
    { config: loadConfig({ LOG_LEVEL: "silent" }), database: database.handle },
    { logger: false },
  );
  await app.ready();
  return {
    database,
    db: database.handle.db,
    app,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

/** A valid work-cabinet application of СПб ГБУ ЦГУ bound to «КР РОИВ». */
export function workApplication(overrides: Record<string, unknown> = {}) {
  return {
    organizationOid: "1000000103",
    kind: "work",
    name: "Кабинет ЦГУ",
    region: "78",
    type: "roiv_subordinate",
    editorialCabinetId: KR_ROIV,
    spheres: ["test_pp"],
    email: "cgu@example.ru",
    idempotencyKey: randomUUID(),
    ...overrides,
  };
}

/** Inserts an organization and its active editorial cabinet. */
export async function insertEditorialCabinet(
  db: Database,
  values: {
    organizationOid: string;
    name: string;
    regionCode: string;
    typeCode: "roiv" | "omsu";
    status?: "active" | "closed";
    ogrn?: string;
  },
): Promise<string> {
  await db
    .insert(organizations)
    .values({
      oid: values.organizationOid,
      ogrn: values.ogrn ?? "1027800009999",
      fullName: `Организация ${values.name}`,
      shortName: `Орг ${values.name}`,
      type: "AGENCY",
    })
    .onConflictDoNothing();
  const [row] = await db
    .insert(cabinets)
    .values({
      kind: "editorial",
      organizationOid: values.organizationOid,
      name: values.name,
      regionCode: values.regionCode,
      typeCode: values.typeCode,
      email: "editorial@example.ru",
      status: values.status ?? "active",
    })
    .returning({ id: cabinets.id });
  return row!.id;
}

/** Counts the rows of a table, optionally filtered by a condition. */
export async function countRows(
  db: Database,
  table: string,
  where = sql`true`,
): Promise<number> {
  const [row] = await queryRows<{ count: number }>(
    db,
    sql`select count(*)::int as count from ${sql.identifier(table)} where ${where}`,
  );
  return row?.count ?? 0;
}

/**
 * Deletes every application, the cabinets approvals created, and the rows
 * that refer to them, so that each test starts from the demo data. The
 * append-only triggers are switched off for the delete only.
 */
export async function clearApplications(db: Database): Promise<void> {
  const created = await queryRows<{ id: string; kind: string }>(
    db,
    sql`select id, kind from cabinets where application_id is not null`,
  );
  const tables = [
    "name_claims",
    "mail_outbox",
    "audit_events",
    "application_decisions",
    "revision_spheres",
    "application_revisions",
  ];
  for (const table of tables) {
    const name = sql.identifier(table);
    await db.execute(sql`alter table ${name} disable trigger user`);
    await db.execute(sql`delete from ${name}`);
    await db.execute(sql`alter table ${name} enable trigger user`);
  }
  await db.execute(sql`update cabinets set application_id = null`);
  await db.execute(sql`alter table applications disable trigger user`);
  await db.execute(sql`delete from applications`);
  await db.execute(sql`alter table applications enable trigger user`);
  // Work cabinets first: they may refer to an editorial cabinet being deleted.
  for (const kind of ["work", "editorial"]) {
    for (const row of created.filter((cabinet) => cabinet.kind === kind)) {
      await db.execute(
        sql`delete from cabinet_spheres where cabinet_id = ${row.id}`,
      );
      await db.execute(sql`delete from cabinets where id = ${row.id}`);
    }
  }
}
