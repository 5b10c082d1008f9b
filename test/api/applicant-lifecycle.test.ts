import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { decideApplication } from "../../src/server/services/decisions.js";
import {
  clearApplications,
  countRows,
  KR_OMSU,
  startApplicantApp,
  workApplication,
  type ApplicantTestApp,
} from "../helpers/applicant.js";
import { organization, profile } from "../helpers/profiles.js";
import { signInAs, type TestSession } from "../helpers/session.js";

let t: ApplicantTestApp;
let petrova: TestSession;

/** The platform operator of the embedded default (all regions). */
const operator = profile({ oid: "1000000005", organizations: [] });

async function submitApplication(overrides: Record<string, unknown> = {}) {
  const response = await t.app.inject({
    method: "POST",
    url: "/api/applications",
    headers: petrova.headers,
    payload: workApplication(overrides),
  });
  expect(response.statusCode).toBe(201);
  return response.json<{ id: string; revision: number }>();
}

async function reject(id: string, revision: number, reason: string) {
  await signInAs(t.db, operator);
  await decideApplication(t.app.services, operator, id, revision, {
    decision: "reject",
    reason,
  });
}

function post(
  session: TestSession,
  url: string,
  payload: Record<string, unknown> = {},
) {
  return t.app.inject({
    method: "POST",
    url,
    headers: session.headers,
    payload,
  });
}

beforeAll(async () => {
  t = await startApplicantApp();
});

afterAll(async () => {
  await t?.close();
});

beforeEach(async () => {
  await clearApplications(t.db);
  petrova = await signInAs(t.db, profile());
});

describe("GET /api/applications/:id", () => {
  it("shows a submitted application to its organization", async () => {
    const { id } = await submitApplication();
    const response = await t.app.inject({
      method: "GET",
      url: `/api/applications/${id}`,
      headers: { cookie: petrova.cookie },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id,
      state: "submitted",
      submittedByYou: true,
      actions: { resubmit: false, withdraw: true },
      rejectionReason: null,
      spheres: ["test_pp"],
      ownEditorialCabinet: null,
    });
  });

  it("hides another organization's application", async () => {
    const { id } = await submitApplication();
    const stranger = await signInAs(
      t.db,
      profile({
        oid: "1000000040",
        organizations: [
          organization({ oid: "1000000104", ogrn: "1027800001041" }),
        ],
      }),
    );
    const response = await t.app.inject({
      method: "GET",
      url: `/api/applications/${id}`,
      headers: { cookie: stranger.cookie },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().message).toBe("Заявка не найдена");
  });

  it("rejects a malformed id", async () => {
    const response = await t.app.inject({
      method: "GET",
      url: "/api/applications/42",
      headers: { cookie: petrova.cookie },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().details[0].path).toBe("id");
  });
});

describe("POST /api/applications/:id/resubmit", () => {
  it("resubmits a rejected application as revision 2", async () => {
    const { id } = await submitApplication();
    await reject(id, 1, "Изменить название кабинета");

    const rejected = await t.app.inject({
      method: "GET",
      url: `/api/applications/${id}`,
      headers: { cookie: petrova.cookie },
    });
    expect(rejected.json()).toMatchObject({
      state: "rejected",
      rejectionReason: "Изменить название кабинета",
      actions: { resubmit: true, withdraw: true },
    });

    const response = await post(petrova, `/api/applications/${id}/resubmit`, {
      ...workApplication({
        name: "Кабинет ЦГУ Петербурга",
        spheres: ["test_gp"],
      }),
      expectedRevision: 1,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      state: "submitted",
      revision: 2,
      name: "Кабинет ЦГУ Петербурга",
      spheres: ["test_gp"],
      rejectionReason: null,
    });

    const revisions = await queryRows<{ number: number; name: string }>(
      t.db,
      sql`select number, name from application_revisions where application_id = ${id} order by number`,
    );
    expect(revisions).toEqual([
      { number: 1, name: "Кабинет ЦГУ" },
      { number: 2, name: "Кабинет ЦГУ Петербурга" },
    ]);
    const claims = await queryRows<{ name_key: string }>(
      t.db,
      sql`select name_key from name_claims where application_id = ${id}`,
    );
    expect(claims).toEqual([{ name_key: "кабинет цгу петербурга" }]);
    expect(
      await countRows(
        t.db,
        "audit_events",
        sql`action = 'application_resubmitted'`,
      ),
    ).toBe(1);
  });

  it("rebinds to another editorial cabinet", async () => {
    const { id } = await submitApplication();
    await reject(id, 1, "Выберите КР ОМСУ");
    const response = await post(petrova, `/api/applications/${id}/resubmit`, {
      ...workApplication({
        type: "omsu_subordinate",
        editorialCabinetId: KR_OMSU,
      }),
      expectedRevision: 1,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().editorialCabinet).toEqual({
      id: KR_OMSU,
      name: "КР ОМСУ",
    });
  });

  it("rejects a stale revision", async () => {
    const { id } = await submitApplication();
    await reject(id, 1, "Причина");
    const first = await post(petrova, `/api/applications/${id}/resubmit`, {
      ...workApplication(),
      expectedRevision: 1,
    });
    expect(first.statusCode).toBe(200);
    await reject(id, 2, "Ещё раз");

    const stale = await post(petrova, `/api/applications/${id}/resubmit`, {
      ...workApplication({ name: "Устаревшая форма" }),
      expectedRevision: 1,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toBe("stale_revision");
    expect(
      await countRows(
        t.db,
        "application_revisions",
        sql`application_id = ${id}`,
      ),
    ).toBe(2);
  });

  it("rejects resubmitting an application under review", async () => {
    const { id } = await submitApplication();
    const response = await post(petrova, `/api/applications/${id}/resubmit`, {
      ...workApplication(),
      expectedRevision: 1,
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toBe("invalid_transition");
    expect(response.json().message).toContain("на рассмотрении");
  });

  it("validates the fields as on submission", async () => {
    const { id } = await submitApplication();
    await reject(id, 1, "Причина");
    const response = await post(petrova, `/api/applications/${id}/resubmit`, {
      ...workApplication({ name: "a", email: "нет" }),
      expectedRevision: 1,
    });
    expect(response.statusCode).toBe(422);
    const paths = response
      .json()
      .details.map((detail: { path: string }) => detail.path);
    expect(paths).toEqual(expect.arrayContaining(["name", "email"]));
    expect(
      await countRows(
        t.db,
        "application_revisions",
        sql`application_id = ${id}`,
      ),
    ).toBe(1);
  });

  it("re-checks eligibility on the session's data", async () => {
    const { id } = await submitApplication();
    await reject(id, 1, "Причина");
    const removed = await signInAs(
      t.db,
      profile({ organizations: [organization({ groups: [] })] }),
    );
    const response = await post(removed, `/api/applications/${id}/resubmit`, {
      ...workApplication(),
      expectedRevision: 1,
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toBe("not_eligible");
  });
});

describe("POST /api/applications/:id/withdraw", () => {
  it("withdraws an open application and frees its name", async () => {
    const { id } = await submitApplication();
    const response = await post(petrova, `/api/applications/${id}/withdraw`);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      state: "withdrawn",
      actions: { resubmit: false, withdraw: false },
    });
    expect(await countRows(t.db, "name_claims")).toBe(0);
    expect(
      await countRows(
        t.db,
        "audit_events",
        sql`action = 'application_withdrawn'`,
      ),
    ).toBe(1);

    const organizations = await t.app.inject({
      method: "GET",
      url: "/api/organizations",
      headers: { cookie: petrova.cookie },
    });
    expect(organizations.json().organizations[0].kinds.work).toMatchObject({
      next: "application",
      application: { id, state: "withdrawn" },
    });

    // A new application may take the same name.
    await submitApplication();
    expect(await countRows(t.db, "applications")).toBe(2);
  });

  it("rejects withdrawing twice", async () => {
    const { id } = await submitApplication();
    expect(
      (await post(petrova, `/api/applications/${id}/withdraw`)).statusCode,
    ).toBe(200);
    const again = await post(petrova, `/api/applications/${id}/withdraw`);
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toContain("отозвана");
  });

  it("lets only the applicant or a chief or admin withdraw", async () => {
    const { id } = await submitApplication();
    const colleague = await signInAs(
      t.db,
      profile({
        oid: "1000000041",
        organizations: [organization({ admin: false })],
      }),
    );
    const response = await post(colleague, `/api/applications/${id}/withdraw`);
    expect(response.statusCode).toBe(403);
    const [row] = await queryRows<{ state: string }>(
      t.db,
      sql`select state from applications where id = ${id}`,
    );
    expect(row?.state).toBe("submitted");
  });

  it("needs the CSRF token", async () => {
    const { id } = await submitApplication();
    const response = await t.app.inject({
      method: "POST",
      url: `/api/applications/${id}/withdraw`,
      headers: { cookie: petrova.cookie },
      payload: {},
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toBe("csrf_failed");
  });
});

describe("GET /api/openapi.json", () => {
  it("describes the applicant routes", async () => {
    const response = await t.app.inject({
      method: "GET",
      url: "/api/openapi.json",
    });
    const paths = Object.keys(response.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/api/applications",
        "/api/applications/{id}",
        "/api/applications/{id}/resubmit",
        "/api/applications/{id}/withdraw",
        "/api/organizations",
        "/api/organizations/{organizationOid}/kinds/{kind}",
        "/api/editorial-cabinets",
        "/api/dictionaries",
      ]),
    );
    const body =
      response.json().paths["/api/applications"].post.requestBody.content[
        "application/json"
      ].schema;
    expect(body.required).toEqual(
      expect.arrayContaining([
        "name",
        "region",
        "type",
        "spheres",
        "email",
        "organizationOid",
        "kind",
      ]),
    );
  });
});
