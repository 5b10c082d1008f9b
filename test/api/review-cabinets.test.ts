import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organization, profile } from "../helpers/profiles.js";
import { signInAs, type TestSession } from "../helpers/session.js";
import {
  approve,
  cguApplication,
  KR_OMSU,
  KR_ROIV,
  PEOPLE,
  signInEveryone,
  startReviewApp,
  submitThroughApi,
  type ReviewTestApp,
} from "./review-setup.js";

let t: ReviewTestApp;
let as: Record<keyof typeof PEOPLE, TestSession>;
let applicationId: string;
let cabinetId: string;

function getCabinet(session: TestSession, id: string) {
  return t.app.inject({
    method: "GET",
    url: `/api/cabinets/${id}`,
    headers: { cookie: session.cookie },
  });
}

function getBound(session: TestSession, id: string, query = "") {
  return t.app.inject({
    method: "GET",
    url: `/api/cabinets/${id}/work-cabinets${query}`,
    headers: { cookie: session.cookie },
  });
}

beforeAll(async () => {
  t = await startReviewApp();
  as = await signInEveryone(t.db);
  applicationId = await submitThroughApi(
    t.app,
    as.petrov,
    cguApplication({ spheres: ["test_pp", "education"] }),
  );
  const approval = await approve(t.app, as.ivanova, applicationId, 1);
  expect(approval.statusCode).toBe(200);
  cabinetId = approval.json().application.cabinetId;
});

afterAll(async () => {
  await t?.close();
});

describe("GET /api/cabinets/:id", () => {
  it("shows a work cabinet to its organization's employee", async () => {
    const response = await getCabinet(as.petrov, cabinetId);

    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      id: cabinetId,
      kind: "work",
      name: "Кабинет ЦГУ",
      status: "active",
      organization: {
        oid: "1000000103",
        ogrn: "1027800001030",
        shortName: "СПб ГБУ ЦГУ",
      },
      region: { code: "78", name: "Санкт-Петербург" },
      type: {
        code: "roiv_subordinate",
        name: "Подведомственная РОИВ организация",
      },
      // The applicant's organization may not open «КР РОИВ»'s page.
      editorialCabinet: { id: KR_ROIV, name: "КР РОИВ", visible: false },
      email: "cgu@example.ru",
      application: { id: applicationId },
      canReview: false,
    });
    expect(body.spheres).toEqual([
      { code: "education", name: "Образование" },
      { code: "test_pp", name: "Тестовая сфера ПП" },
    ]);
    expect(body.application.reference).toMatch(/^ГП-\d{4}-\d{6}$/);
    expect(Number.isNaN(Date.parse(body.createdAt))).toBe(false);
  });

  it("links the editorial cabinet for its reviewer", async () => {
    const body = (await getCabinet(as.ivanova, cabinetId)).json();

    expect(body.editorialCabinet).toEqual({
      id: KR_ROIV,
      name: "КР РОИВ",
      visible: true,
    });
    expect((await getCabinet(as.ivanova, KR_ROIV)).statusCode).toBe(200);
    expect((await getCabinet(as.petrov, KR_ROIV)).statusCode).toBe(404);
  });

  it("shows the history of the application that created it", async () => {
    const body = (await getCabinet(as.petrov, cabinetId)).json();

    expect(
      body.history.map((event: { action: string }) => event.action),
    ).toEqual([
      "application_submitted",
      "application_approved",
      "cabinet_created",
    ]);
    expect(body.history[0].actor).toEqual({
      oid: PEOPLE.petrov.oid,
      name: "Петров Тест",
    });
    expect(body.history[1]).toMatchObject({
      actor: { oid: PEOPLE.ivanova.oid },
      revision: 1,
      fromState: "submitted",
      toState: "approved",
    });
  });

  it("hides a work cabinet from an employee without the access group", async () => {
    const withoutGroup = await signInAs(
      t.db,
      profile({
        oid: "1000000010",
        organizations: [organization({ groups: [] })],
      }),
    );

    expect((await getCabinet(withoutGroup, cabinetId)).statusCode).toBe(404);
  });

  it("hides a work cabinet from a blocked employee", async () => {
    const blocked = await signInAs(
      t.db,
      profile({
        oid: "1000000012",
        organizations: [organization({ active: false })],
      }),
    );

    expect((await getCabinet(blocked, cabinetId)).statusCode).toBe(404);
  });

  it("hides a cabinet from another organization", async () => {
    const response = await getCabinet(as.kuznetsov, cabinetId);

    expect(response.statusCode).toBe(404);
    expect(response.json().message).toBe("Кабинет не найден");
    expect((await getCabinet(as.smirnova, cabinetId)).statusCode).toBe(404);
    expect((await getCabinet(as.regionalOperator, cabinetId)).statusCode).toBe(
      404,
    );
  });

  it("shows a work cabinet to its editorial cabinet and operators", async () => {
    expect((await getCabinet(as.volkov, cabinetId)).statusCode).toBe(200);
    expect((await getCabinet(as.sokolov, cabinetId)).statusCode).toBe(200);
  });

  it("shows an editorial cabinet to its reviewers with the queue", async () => {
    const response = await getCabinet(as.ivanova, KR_ROIV);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      kind: "editorial",
      name: "КР РОИВ",
      editorialCabinet: null,
      application: null,
      history: [],
      canReview: true,
    });
  });

  it("hides an editorial cabinet from another one's reviewer", async () => {
    expect((await getCabinet(as.kuznetsov, KR_ROIV)).statusCode).toBe(404);
    expect((await getCabinet(as.kuznetsov, KR_OMSU)).statusCode).toBe(200);
  });

  it("answers an unknown id with 404 and a bad id with 422", async () => {
    const unknown = await getCabinet(
      as.sokolov,
      "00000000-0000-4000-8000-000000000999",
    );
    const bad = await getCabinet(as.sokolov, "КР-РОИВ");

    expect(unknown.statusCode).toBe(404);
    expect(bad.statusCode).toBe(422);
  });

  it("needs a session", async () => {
    const response = await t.app.inject({
      method: "GET",
      url: `/api/cabinets/${KR_ROIV}`,
    });

    expect(response.statusCode).toBe(401);
  });
});

describe("GET /api/cabinets/:id/work-cabinets", () => {
  it("lists the work cabinets bound to an editorial cabinet", async () => {
    const response = await getBound(as.ivanova, KR_ROIV);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      items: [
        {
          id: cabinetId,
          name: "Кабинет ЦГУ",
          status: "active",
          organizationName:
            "Санкт-Петербургское государственное бюджетное учреждение «Центр городских услуг»",
          ogrn: "1027800001030",
          typeName: "Подведомственная РОИВ организация",
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    expect((await getBound(as.kuznetsov, KR_OMSU)).json().items).toEqual([]);
  });

  it("pages by name", async () => {
    // A second bound cabinet: the КИП's own work cabinet, decided by a colleague.
    const id = await submitThroughApi(
      t.app,
      as.ivanova,
      cguApplication({
        organizationOid: "1000000101",
        name: "Рабочий кабинет КИП",
        type: "roiv",
        email: "kip@example.ru",
      }),
    );
    expect((await approve(t.app, as.volkov, id, 1)).statusCode).toBe(200);

    const first = await getBound(as.ivanova, KR_ROIV, "?limit=1");
    const firstBody = first.json();
    const second = await getBound(
      as.ivanova,
      KR_ROIV,
      `?limit=1&cursor=${firstBody.nextCursor}`,
    );

    expect(firstBody.items.map((item: { name: string }) => item.name)).toEqual([
      "Кабинет ЦГУ",
    ]);
    expect(firstBody.nextCursor).toEqual(expect.any(String));
    expect(
      second.json().items.map((item: { name: string }) => item.name),
    ).toEqual(["Рабочий кабинет КИП"]);
    expect(second.json().nextCursor).toBeNull();
  });

  it("answers 404 for a work cabinet and for an outsider", async () => {
    expect((await getBound(as.petrov, cabinetId)).statusCode).toBe(404);
    expect((await getBound(as.kuznetsov, KR_ROIV)).statusCode).toBe(404);
  });
});
