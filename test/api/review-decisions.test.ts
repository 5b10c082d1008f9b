import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { clearApplications, countRows } from "../helpers/applicant.js";
import type { TestSession } from "../helpers/session.js";
import {
  approve,
  cguApplication,
  getReview,
  KR_ROIV,
  PEOPLE,
  reject,
  signInEveryone,
  startReviewApp,
  submitThroughApi,
  type ReviewTestApp,
} from "./review-setup.js";

let t: ReviewTestApp;
let as: Record<keyof typeof PEOPLE, TestSession>;

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details: { path: string; message: string }[];
}

async function applicationRow(id: string) {
  const [row] = await queryRows<Record<string, unknown>>(
    t.db,
    sql`select * from applications where id = ${id}`,
  );
  return row!;
}

async function outbox(id: string) {
  return queryRows<{ template: string; to_address: string; body: string }>(
    t.db,
    sql`select template, to_address, body from mail_outbox
      where application_id = ${id} order by id`,
  );
}

async function audit(id: string) {
  return queryRows<{
    action: string;
    actor_oid: string;
    revision: number;
    from_state: string | null;
    to_state: string | null;
    cabinet_id: string | null;
  }>(
    t.db,
    sql`select action, actor_oid, revision, from_state, to_state, cabinet_id
      from audit_events where application_id = ${id} order by id`,
  );
}

beforeAll(async () => {
  t = await startReviewApp();
  as = await signInEveryone(t.db);
});

afterAll(async () => {
  await t?.close();
});

beforeEach(async () => {
  await clearApplications(t.db);
});

describe("approve", () => {
  it("creates the cabinet, the decision, the audit and the mail", async () => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    const response = await approve(t.app, as.ivanova, id, 1);

    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.application.state).toBe("approved");
    expect(body.application.cabinetId).toEqual(expect.any(String));
    expect(body.canDecide).toBe(false);
    expect(body.decisions).toHaveLength(1);
    expect(body.decisions[0]).toMatchObject({
      revision: 1,
      decision: "approved",
      reason: null,
      decidedBy: { oid: PEOPLE.ivanova.oid, name: "Иванова Тест" },
    });

    const row = await applicationRow(id);
    expect(row.state).toBe("approved");
    expect(row.cabinet_id).toBe(body.application.cabinetId);
    const [cabinet] = await queryRows<Record<string, unknown>>(
      t.db,
      sql`select * from cabinets where id = ${row.cabinet_id as string}`,
    );
    expect(cabinet).toMatchObject({
      kind: "work",
      organization_oid: "1000000103",
      name: "Кабинет ЦГУ",
      region_code: "78",
      type_code: "roiv_subordinate",
      editorial_cabinet_id: KR_ROIV,
      email: "cgu@example.ru",
      status: "active",
      application_id: id,
    });
    const spheres = await queryRows<{ sphere_code: string }>(
      t.db,
      sql`select sphere_code from cabinet_spheres where cabinet_id = ${row.cabinet_id as string}`,
    );
    expect(spheres.map((sphere) => sphere.sphere_code)).toEqual(["test_pp"]);

    const events = await audit(id);
    expect(events.map((event) => event.action)).toEqual([
      "application_submitted",
      "application_approved",
      "cabinet_created",
    ]);
    expect(events[1]).toMatchObject({
      actor_oid: PEOPLE.ivanova.oid,
      revision: 1,
      from_state: "submitted",
      to_state: "approved",
    });
    expect(events[2]?.cabinet_id).toBe(row.cabinet_id);

    const mail = await outbox(id);
    const approvedMail = mail.filter(
      (message) => message.template === "application_approved",
    );
    expect(approvedMail).toHaveLength(1);
    expect(approvedMail[0]?.to_address).toBe("cgu@example.ru");
    expect(approvedMail[0]?.body).toContain("Статус: одобрена");
  });
});

describe("reject", () => {
  it("requires a reason", async () => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    for (const reason of [undefined, "", "   "]) {
      const response = await reject(t.app, as.ivanova, id, 1, reason);
      expect(response.statusCode).toBe(422);
      const body = response.json<ErrorBody>();
      expect(body.details[0]?.path).toBe("reason");
      expect(body.details[0]?.message).toBe("Укажите причину отклонения");
    }
    expect((await applicationRow(id)).state).toBe("submitted");
    expect(await countRows(t.db, "application_decisions")).toBe(0);
  });

  it("refuses a reason over 2000 characters", async () => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    const response = await reject(t.app, as.ivanova, id, 1, "я".repeat(2001));

    expect(response.statusCode).toBe(422);
    expect(response.json<ErrorBody>().details[0]?.message).toContain(
      "не более 2000 символов",
    );
    const exact = await reject(t.app, as.ivanova, id, 1, "я".repeat(2000));
    expect(exact.statusCode).toBe(200);
  });

  it.each([
    ["half a surrogate pair", "Причина \ud800", "половину пары UTF-16"],
    ["a NUL character", "\u0000 нуль", "Причина содержит нулевой байт"],
  ])("rejects a reason with %s", async (_case, reason, message) => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    const response = await reject(t.app, as.ivanova, id, 1, reason);

    expect(response.statusCode).toBe(422);
    expect(response.json<ErrorBody>().details[0]?.message).toContain(message);
    expect((await applicationRow(id)).state).toBe("submitted");
  });

  it("stores the reason and mails it to the applicant", async () => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    const response = await reject(
      t.app,
      as.ivanova,
      id,
      1,
      "  Изменить название кабинета  ",
    );

    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.application.state).toBe("rejected");
    expect(body.application.rejectionReason).toBe("Изменить название кабинета");
    const row = await applicationRow(id);
    expect(row.state).toBe("rejected");
    expect(row.rejection_reason).toBe("Изменить название кабинета");
    expect(row.cabinet_id).toBeNull();
    expect(await countRows(t.db, "cabinets", sql`application_id = ${id}`)).toBe(
      0,
    );
    const [decision] = await queryRows<Record<string, unknown>>(
      t.db,
      sql`select * from application_decisions where application_id = ${id}`,
    );
    expect(decision).toMatchObject({
      revision: 1,
      decision: "rejected",
      reason: "Изменить название кабинета",
      decided_by: PEOPLE.ivanova.oid,
    });
    const rejected = (await outbox(id)).filter(
      (message) => message.template === "application_rejected",
    );
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.to_address).toBe("cgu@example.ru");
    expect(rejected[0]?.body).toContain(
      "Ваша заявка на подключение кабинета отклонена по причине:\nИзменить название кабинета",
    );
    const events = await audit(id);
    expect(events.at(-1)).toMatchObject({
      action: "application_rejected",
      actor_oid: PEOPLE.ivanova.oid,
      revision: 1,
      from_state: "submitted",
      to_state: "rejected",
    });
  });
});

describe("resubmit", () => {
  async function rejectAndResubmit() {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());
    expect(
      (await reject(t.app, as.ivanova, id, 1, "Изменить название кабинета"))
        .statusCode,
    ).toBe(200);
    const resubmitted = await t.app.inject({
      method: "POST",
      url: `/api/applications/${id}/resubmit`,
      headers: as.petrov.headers,
      payload: {
        ...cguApplication({
          name: "Кабинет ЦГУ Санкт-Петербурга",
          spheres: ["test_gp"],
        }),
        expectedRevision: 1,
      },
    });
    expect(resubmitted.statusCode).toBe(200);
    return id;
  }

  it("shows both revisions with what changed", async () => {
    const id = await rejectAndResubmit();

    const response = await getReview(t.app, as.ivanova, id);

    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.application).toMatchObject({ state: "submitted", revision: 2 });
    expect(body.canDecide).toBe(true);
    expect(body.revisions).toHaveLength(2);
    expect(body.revisions[0].changes).toEqual([]);
    expect(body.revisions[1].changes).toEqual([
      {
        field: "name",
        label: "Название кабинета",
        before: "Кабинет ЦГУ",
        after: "Кабинет ЦГУ Санкт-Петербурга",
      },
      {
        field: "spheres",
        label: "Сферы",
        before: "Тестовая сфера ПП",
        after: "Тестовая сфера ГП",
      },
    ]);
    expect(body.decisions).toHaveLength(1);
    expect(body.decisions[0]).toMatchObject({
      revision: 1,
      decision: "rejected",
      reason: "Изменить название кабинета",
    });
    expect(
      body.history.map((event: { action: string }) => event.action),
    ).toEqual([
      "application_submitted",
      "application_rejected",
      "application_resubmitted",
    ]);
    const reviewMail = (await outbox(id)).filter(
      (message) => message.template === "review_requested",
    );
    expect(reviewMail).toHaveLength(2);
    expect(reviewMail[1]?.to_address).toBe("kr-roiv@demo.gospubliki.localhost");
  });

  it("approves the new revision, refusing the old one", async () => {
    const id = await rejectAndResubmit();

    const stale = await approve(t.app, as.volkov, id, 1);
    expect(stale.statusCode).toBe(409);
    expect(stale.json<ErrorBody>().error).toBe("already_decided");

    const response = await approve(t.app, as.volkov, id, 2);

    expect(response.statusCode).toBe(200);
    const row = await applicationRow(id);
    expect(row.state).toBe("approved");
    expect(row.revision).toBe(2);
    const [cabinet] = await queryRows<{ name: string }>(
      t.db,
      sql`select name from cabinets where id = ${row.cabinet_id as string}`,
    );
    expect(cabinet?.name).toBe("Кабинет ЦГУ Санкт-Петербурга");
    const spheres = await queryRows<{ sphere_code: string }>(
      t.db,
      sql`select sphere_code from cabinet_spheres where cabinet_id = ${row.cabinet_id as string}`,
    );
    expect(spheres.map((sphere) => sphere.sphere_code)).toEqual(["test_gp"]);
    const decisions = await queryRows<{ revision: number; decision: string }>(
      t.db,
      sql`select revision, decision from application_decisions
        where application_id = ${id} order by revision`,
    );
    expect(decisions).toEqual([
      { revision: 1, decision: "rejected" },
      { revision: 2, decision: "approved" },
    ]);
  });

  it("refuses a decision on a revision newer than the current one", async () => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    const response = await approve(t.app, as.ivanova, id, 2);

    expect(response.statusCode).toBe(409);
    expect(response.json<ErrorBody>().error).toBe("unknown_revision");
    expect(response.json<ErrorBody>().message).toBe(
      "У заявки нет редакции 2: последняя редакция 1. Обновите страницу",
    );
    expect((await applicationRow(id)).state).toBe("submitted");
  });
});

describe("concurrent decisions", () => {
  it("lets the first win and answers the second with 409", async () => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    const responses = await Promise.all([
      approve(t.app, as.ivanova, id, 1),
      reject(t.app, as.volkov, id, 1, "Изменить название кабинета"),
    ]);

    const codes = responses.map((response) => response.statusCode).sort();
    expect(codes).toEqual([200, 409]);
    const loser = responses.find((response) => response.statusCode === 409)!;
    expect(loser.json<ErrorBody>().message).toContain(
      "По этой заявке уже принято решение",
    );
    const winner = responses.find((response) => response.statusCode === 200)!;
    const decisions = await queryRows<{ decision: string; decided_by: string }>(
      t.db,
      sql`select decision, decided_by from application_decisions where application_id = ${id}`,
    );
    expect(decisions).toHaveLength(1);
    const state = (await applicationRow(id)).state;
    expect(state).toBe(winner.json().application.state);
    expect(decisions[0]?.decision).toBe(state);
    const decisionEvents = (await audit(id)).filter((event) =>
      ["application_approved", "application_rejected"].includes(event.action),
    );
    expect(decisionEvents).toHaveLength(1);
  });
});

describe("self-decision", () => {
  it("refuses a reviewer deciding their own application", async () => {
    // КИП applies for its own work cabinet, bound to its own «КР РОИВ».
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

    const detail = await getReview(t.app, as.ivanova, id);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().canDecide).toBe(false);
    expect(detail.json().cannotDecideReason).toContain(
      "Вы подали эту заявку сами",
    );

    const response = await approve(t.app, as.ivanova, id, 1);

    expect(response.statusCode).toBe(403);
    expect(response.json<ErrorBody>().error).toBe("self_decision");
    expect((await applicationRow(id)).state).toBe("submitted");
    expect(await countRows(t.db, "application_decisions")).toBe(0);

    const colleague = await approve(t.app, as.volkov, id, 1);
    expect(colleague.statusCode).toBe(200);
  });
});

describe("platform operators", () => {
  it("review editorial-cabinet applications", async () => {
    const id = await submitThroughApi(t.app, as.morozova, {
      organizationOid: "1000000107",
      kind: "editorial",
      name: "КР Комитета по культуре",
      region: "78",
      type: "roiv",
      spheres: ["culture"],
      email: "kr-kk@example.ru",
    });
    const reviewMail = (await outbox(id)).filter(
      (message) => message.template === "review_requested",
    );
    // The operators' addresses are known once they have signed in.
    expect(reviewMail.map((message) => message.to_address)).toEqual([
      "operator@example.ru",
    ]);

    expect((await getReview(t.app, as.ivanova, id)).statusCode).toBe(404);
    expect((await approve(t.app, as.ivanova, id, 1)).statusCode).toBe(404);
    expect((await getReview(t.app, as.regionalOperator, id)).statusCode).toBe(
      404,
    );

    const response = await approve(t.app, as.sokolov, id, 1);

    expect(response.statusCode).toBe(200);
    const row = await applicationRow(id);
    const [cabinet] = await queryRows<Record<string, unknown>>(
      t.db,
      sql`select kind, type_code, editorial_cabinet_id from cabinets where id = ${row.cabinet_id as string}`,
    );
    expect(cabinet).toEqual({
      kind: "editorial",
      type_code: "roiv",
      editorial_cabinet_id: null,
    });
  });

  it("decide work-cabinet applications of their region as a fallback", async () => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    expect((await approve(t.app, as.regionalOperator, id, 1)).statusCode).toBe(
      404,
    );
    const response = await reject(
      t.app,
      as.sokolov,
      id,
      1,
      "Уточните сферы деятельности",
    );

    expect(response.statusCode).toBe(200);
    const [decision] = await queryRows<{ decided_by: string }>(
      t.db,
      sql`select decided_by from application_decisions where application_id = ${id}`,
    );
    expect(decision?.decided_by).toBe(PEOPLE.sokolov.oid);
  });
});

describe("another editorial cabinet", () => {
  it("answers its reviewer with 404", async () => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    const read = await getReview(t.app, as.kuznetsov, id);
    const approval = await approve(t.app, as.kuznetsov, id, 1);
    const rejection = await reject(t.app, as.kuznetsov, id, 1, "Нет");

    expect(read.statusCode).toBe(404);
    expect(approval.statusCode).toBe(404);
    expect(rejection.statusCode).toBe(404);
    expect(approval.json<ErrorBody>().message).toBe("Заявка не найдена");
    expect((await applicationRow(id)).state).toBe("submitted");
    expect(await countRows(t.db, "application_decisions")).toBe(0);
  });

  it("answers an employee without the editorial group with 404", async () => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    expect((await getReview(t.app, as.noGroup, id)).statusCode).toBe(404);
    expect((await approve(t.app, as.noGroup, id, 1)).statusCode).toBe(404);
  });

  it("answers the applicant with 404 on the reviewer's page", async () => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    expect((await getReview(t.app, as.petrov, id)).statusCode).toBe(404);
  });
});

describe("application page", () => {
  it("shows the organization and the applicant's contacts", async () => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    const response = await getReview(t.app, as.ivanova, id);

    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.organization).toEqual({
      oid: "1000000103",
      fullName:
        "Санкт-Петербургское государственное бюджетное учреждение «Центр городских услуг»",
      shortName: "СПб ГБУ ЦГУ",
      ogrn: "1027800001030",
    });
    expect(body.applicant).toEqual({
      oid: "1000000002",
      lastName: "Петров",
      firstName: "Тест",
      middleName: null,
      email: "a.petrov@cgu.example.ru",
      mobile: "+7(900)1112233",
    });
    expect(body.revisions[0].fields).toEqual({
      name: "Кабинет ЦГУ",
      region: { code: "78", name: "Санкт-Петербург" },
      type: {
        code: "roiv_subordinate",
        name: "Подведомственная РОИВ организация",
      },
      editorialCabinet: { id: KR_ROIV, name: "КР РОИВ" },
      spheres: [{ code: "test_pp", name: "Тестовая сфера ПП" }],
      email: "cgu@example.ru",
    });
  });

  it("needs a session", async () => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    const response = await t.app.inject({
      method: "GET",
      url: `/api/review/applications/${id}`,
    });

    expect(response.statusCode).toBe(401);
  });

  it("needs the CSRF token to decide", async () => {
    const id = await submitThroughApi(t.app, as.petrov, cguApplication());

    const response = await t.app.inject({
      method: "POST",
      url: `/api/review/applications/${id}/approve`,
      headers: { cookie: as.ivanova.cookie },
      payload: { revision: 1 },
    });

    expect(response.statusCode).toBe(403);
    expect((await applicationRow(id)).state).toBe("submitted");
  });
});
