import { sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { submitApplication } from "../../src/server/services/applications.js";
import type { ServiceContext } from "../../src/server/services/context.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { editorialOrganization, GROUPS, profile } from "../helpers/profiles.js";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

describe("operator notice of an editorial-cabinet application", () => {
  it("goes to PLATFORM_OPERATORS_MAIL before any operator signed in", async () => {
    const context: ServiceContext = {
      db: database.handle.db,
      groups: GROUPS,
      operators: [{ oid: "1000000005", regions: [] }],
      operatorsMail: ["operators@example.ru"],
      publicUrl: "http://localhost:3000",
      logger: pino({ level: "silent" }),
    };
    const roiv = editorialOrganization();
    const actor = profile({ oid: "1000000006", organizations: [roiv] });
    const { applicationId } = await submitApplication(context, actor, {
      organizationOid: roiv.oid,
      kind: "editorial",
      name: "КР Культура",
      region: "78",
      type: "roiv",
      editorialCabinetId: null,
      spheres: ["culture"],
      email: "kr-culture@example.ru",
    });
    const rows = await queryRows<{ template: string; to_address: string }>(
      database.handle.db,
      sql`select template, to_address from mail_outbox
          where application_id = ${applicationId} order by template`,
    );
    expect(rows).toEqual([
      {
        template: "application_submitted",
        to_address: "kr-culture@example.ru",
      },
      { template: "review_requested", to_address: "operators@example.ru" },
    ]);
  });
});
