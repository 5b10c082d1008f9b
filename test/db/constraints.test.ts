import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { queryRows } from "../../src/db/client.js";
import { loadDemoData } from "../../src/db/demo-data.js";
import { buildApp, type App } from "../../src/server/app.js";
import { translateDatabaseError } from "../../src/server/database-errors.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";

let database: TestDatabase;
let app: App;

const ORG = "1000000103";
const PERSON = "1000000002";

async function insertApplication(overrides: Record<string, string> = {}) {
  const values = {
    reference: `ГП-T-${Math.random().toString(36).slice(2)}`,
    kind: "editorial",
    state: "submitted",
    region: "78",
    type: "roiv",
    ...overrides,
  };
  await database.handle.db.execute(sql`
    insert into applications
      (reference, kind, organization_oid, applicant_oid, state, name, region_code, type_code, email, ogrn)
    values
      (${values.reference}, ${values.kind}, ${ORG}, ${PERSON}, ${values.state}, 'Кабинет ЦГУ',
       ${values.region}, ${values.type}, 'a@example.ru', '1027800001030')`);
}

async function violation(action: () => Promise<unknown>) {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error(
    "the statement succeeded but the constraint should have rejected it",
  );
}

beforeAll(async () => {
  database = await createTestDatabase();
  await database.handle.db.execute(sql`
    insert into organizations (oid, ogrn, full_name, short_name, type)
    values (${ORG}, '1027800001030', 'СПб ГБУ «Центр городских услуг»', 'СПб ГБУ ЦГУ', 'LEGAL')`);
  await database.handle.db.execute(sql`
    insert into persons (oid, last_name, first_name) values (${PERSON}, 'Петрова', 'Анна')`);
  app = await buildApp(
    { config: loadConfig({ LOG_LEVEL: "silent" }), database: database.handle },
    { logger: false },
  );
  // A route that runs a statement, so the test sees what the error handler makes of it.
  app.post<{ Body: { statement: string } }>(
    "/test/statement",
    async (request) => {
      await database.handle.db.execute(sql.raw(request.body.statement));
      return { ok: true };
    },
  );
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe("database constraints", () => {
  it("loads the reference data", async () => {
    const [counts] = await queryRows<{
      regions: number;
      types: number;
      spheres: number;
    }>(
      database.handle.db,
      sql`select (select count(*)::int from regions) as regions,
                 (select count(*)::int from cabinet_types) as types,
                 (select count(*)::int from spheres) as spheres`,
    );
    expect(counts).toEqual({ regions: 89, types: 5, spheres: 19 });
  });

  it("rejects a second open application of one kind", async () => {
    await insertApplication();
    const error = await violation(() => insertApplication());
    const translated = translateDatabaseError(error);
    expect(translated?.statusCode).toBe(409);
    expect(translated?.code).toBe("application_exists");
    expect(translated?.message).toContain("уже есть заявка");
  });

  it("allows a new application once the old one is closed", async () => {
    await insertApplication({ state: "withdrawn" });
    const [row] = await queryRows<{ count: number }>(
      database.handle.db,
      sql`select count(*)::int as count from applications where kind = 'editorial'`,
    );
    expect(row?.count).toBe(2);
  });

  it("rejects an unknown state", async () => {
    const error = await violation(() => insertApplication({ state: "lost" }));
    const translated = translateDatabaseError(error);
    expect(translated?.statusCode).toBe(422);
    expect(translated?.message).toBe("Недопустимое состояние заявки");
  });

  it("rejects an unknown region", async () => {
    const error = await violation(() =>
      insertApplication({ state: "withdrawn", region: "80" }),
    );
    const translated = translateDatabaseError(error);
    expect(translated?.statusCode).toBe(422);
    expect(translated?.details).toEqual([
      {
        path: "region",
        message: "Выберите регион из списка: такого кода региона нет",
      },
    ]);
  });

  it("rejects an editorial cabinet of a work-only type", async () => {
    const error = await violation(() =>
      insertApplication({ state: "withdrawn", type: "omsu_subordinate" }),
    );
    expect(translateDatabaseError(error)?.statusCode).toBe(422);
  });

  it("rejects a malformed ОГРН", async () => {
    const error = await violation(() =>
      database.handle.db.execute(sql`
        insert into organizations (oid, ogrn, full_name, short_name, type)
        values ('1', '12345', 'x', 'x', 'LEGAL')`),
    );
    expect(translateDatabaseError(error)?.statusCode).toBe(422);
  });

  it("keeps revisions append-only", async () => {
    const [app1] = await queryRows<{ id: string }>(
      database.handle.db,
      sql`select id from applications where state = 'submitted' limit 1`,
    );
    await database.handle.db.execute(sql`
      insert into application_revisions (application_id, number, name, region_code, type_code, email, submitted_by)
      values (${app1!.id}, 1, 'Кабинет ЦГУ', '78', 'roiv', 'a@example.ru', ${PERSON})`);
    const error = await violation(() =>
      database.handle.db.execute(
        sql`update application_revisions set name = 'Другое'`,
      ),
    );
    expect(
      String((error as Error).message) +
        String((error as { cause?: Error }).cause?.message),
    ).toContain("append-only");
  });

  it("turns a violation into a clear response, not a 500", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/test/statement",
      payload: {
        statement: `insert into applications (reference, kind, organization_oid, applicant_oid, state, name, region_code, type_code, email, ogrn)
          values ('ГП-X-1', 'editorial', '${ORG}', '${PERSON}', 'submitted', 'Кабинет ЦГУ', '78', 'roiv', 'a@example.ru', '1027800001030')`,
      },
    });
    expect(response.statusCode).toBe(409);
    const body = response.json();
    expect(body.error).toBe("application_exists");
    expect(body.message).toContain("уже есть заявка");
    expect(body.requestId).toBeTruthy();
  });

  it("loads the demo cabinets once", async () => {
    expect(await loadDemoData(database.handle.db)).toBe(true);
    expect(await loadDemoData(database.handle.db)).toBe(false);
    const rows = await queryRows<{ name: string }>(
      database.handle.db,
      sql`select name from cabinets order by name`,
    );
    expect(rows.map((row) => row.name)).toEqual(["КР ОМСУ", "КР РОИВ"]);
  });
});
