import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import {
  clearApplications,
  countRows,
  insertEditorialCabinet,
  KR_OMSU,
  KR_ROIV,
  startApplicantApp,
  workApplication,
  type ApplicantTestApp,
} from "../helpers/applicant.js";
import {
  editorialOrganization,
  GROUPS,
  organization,
  profile,
} from "../helpers/profiles.js";
import { signInAs, type TestSession } from "../helpers/session.js";

let t: ApplicantTestApp;
let petrova: TestSession;
let otherRegionCabinet: string;

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details: { path: string; message: string }[];
}

async function submit(session: TestSession, body: Record<string, unknown>) {
  return t.app.inject({
    method: "POST",
    url: "/api/applications",
    headers: session.headers,
    payload: body,
  });
}

async function applicationCount(organizationOid = "1000000103") {
  return countRows(
    t.db,
    "applications",
    sql`organization_oid = ${organizationOid}`,
  );
}

beforeAll(async () => {
  t = await startApplicantApp();
  otherRegionCabinet = await insertEditorialCabinet(t.db, {
    organizationOid: "1000000201",
    name: "КР РОИВ Ленобласти",
    regionCode: "47",
    typeCode: "roiv",
  });
});

afterAll(async () => {
  await t?.close();
});

beforeEach(async () => {
  await clearApplications(t.db);
  petrova = await signInAs(t.db, profile());
});

describe("POST /api/applications", () => {
  it("creates a work-cabinet application bound to КР РОИВ", async () => {
    const body = workApplication({ name: "  Кабинет   ЦГУ  " });
    const response = await submit(petrova, body);

    expect(response.statusCode).toBe(201);
    const application = response.json();
    expect(application.reference).toMatch(/^ГП-\d{4}-\d{6}$/);
    expect(application.state).toBe("submitted");
    expect(application.revision).toBe(1);
    expect(application.name).toBe("Кабинет ЦГУ");
    expect(application.editorialCabinet).toEqual({
      id: KR_ROIV,
      name: "КР РОИВ",
    });
    expect(application.organization.ogrn).toBe("1027800001030");

    const [row] = await queryRows<Record<string, unknown>>(
      t.db,
      sql`select * from applications where id = ${application.id}`,
    );
    expect(row).toMatchObject({
      kind: "work",
      state: "submitted",
      name: "Кабинет ЦГУ",
      region_code: "78",
      type_code: "roiv_subordinate",
      editorial_cabinet_id: KR_ROIV,
      email: "cgu@example.ru",
      applicant_oid: "1000000002",
      organization_oid: "1000000103",
      ogrn: "1027800001030",
      idempotency_key: body.idempotencyKey,
    });
    expect(await countRows(t.db, "application_revisions")).toBe(1);
    const spheres = await queryRows<{ sphere_code: string }>(
      t.db,
      sql`select sphere_code from revision_spheres`,
    );
    expect(spheres.map((sphere) => sphere.sphere_code)).toEqual(["test_pp"]);
    expect(
      await countRows(t.db, "name_claims", sql`name_key = 'кабинет цгу'`),
    ).toBe(1);
    expect(
      await countRows(
        t.db,
        "audit_events",
        sql`action = 'application_submitted'`,
      ),
    ).toBe(1);
    const mail = await queryRows<{ to_address: string; template: string }>(
      t.db,
      sql`select to_address, template from mail_outbox order by id`,
    );
    expect(mail).toEqual([
      { to_address: "cgu@example.ru", template: "application_submitted" },
      {
        to_address: "kr-roiv@demo.gospubliki.localhost",
        template: "review_requested",
      },
    ]);
  });

  it("answers with the application exactly as reading it back does", async () => {
    const cases = [
      workApplication({ spheres: ["test_pp", "culture"] }),
      {
        organizationOid: "1000000107",
        kind: "editorial",
        name: "КР Культура",
        region: "78",
        type: "roiv",
        spheres: ["culture"],
        email: "kr-culture@example.ru",
      },
    ];
    const roiv = editorialOrganization();
    const session = await signInAs(
      t.db,
      profile({ oid: "1000000006", organizations: [roiv] }),
    );
    for (const [index, body] of cases.entries()) {
      const response = await submit(index === 0 ? petrova : session, body);
      expect(response.statusCode).toBe(201);
      const read = await t.app.inject({
        method: "GET",
        url: `/api/applications/${response.json<{ id: string }>().id}`,
        headers: index === 0 ? petrova.headers : session.headers,
      });
      expect(read.statusCode).toBe(200);
      expect(response.json()).toEqual(read.json());
    }
  });

  it("takes the organization from the session, not the request", async () => {
    const response = await submit(
      petrova,
      workApplication({
        ogrn: "1027800001041",
        organizationName: "Подложная организация",
        applicantOid: "1000000003",
      }),
    );
    expect(response.statusCode).toBe(201);
    const [row] = await queryRows<{ ogrn: string; applicant_oid: string }>(
      t.db,
      sql`select ogrn, applicant_oid from applications`,
    );
    expect(row?.ogrn).toBe("1027800001030");
    expect(row?.applicant_oid).toBe("1000000002");
  });

  it("accepts a Cyrillic e-mail address", async () => {
    const response = await submit(
      petrova,
      workApplication({ email: "Приемная@Минздрав.РФ" }),
    );
    expect(response.statusCode).toBe(201);
    expect(response.json().email).toBe("Приемная@минздрав.рф");
  });

  it("stores markup in the name as typed", async () => {
    const name = `<script>alert("x")</script> & <b>ЦГУ</b>`;
    const response = await submit(petrova, workApplication({ name }));
    expect(response.statusCode).toBe(201);
    expect(response.json().name).toBe(name);
    const [row] = await queryRows<{ name: string }>(
      t.db,
      sql`select name from applications`,
    );
    expect(row?.name).toBe(name);
  });

  it.each([
    ["region", { region: "99" }, "Выберите регион из списка"],
    ["region", { region: "" }, "Выберите регион"],
    ["spheres", { spheres: ["astrology"] }, "«astrology» нет в справочнике"],
    ["spheres", { spheres: [] }, "Выберите хотя бы одну сферу"],
    ["type", { type: "federal" }, "Выберите тип кабинета из списка"],
    ["name", { name: "ab" }, "не менее 3 символов"],
    ["name", { name: "   " }, "Введите название кабинета"],
    ["name", { name: "Я".repeat(201) }, "не более 200 символов"],
    ["name", { name: "Кабинет\tЦГУ" }, "управляющие символы"],
    ["name", { name: "Кабинет\nЦГУ" }, "управляющие символы"],
    ["name", { name: "Кабинет\u0000ЦГУ" }, "управляющие символы"],
    ["name", { name: "Кабинет \ud800" }, "половину пары UTF-16"],
    ["spheres", { spheres: ["test_pp\u0000"] }, "Выберите сферы из списка"],
    ["email", { email: "not-an-email" }, "Введите адрес электронной почты"],
    ["email", { email: "a@b" }, "Введите адрес электронной почты"],
    ["email", { email: "" }, "Введите электронную почту"],
    [
      "editorialCabinetId",
      { editorialCabinetId: "КР РОИВ" },
      "Выберите редакцию из списка",
    ],
  ])("rejects a bad %s: %j", async (field, overrides, message) => {
    const response = await submit(petrova, workApplication(overrides));

    expect(response.statusCode).toBe(422);
    const body = response.json<ErrorBody>();
    expect(body.error).toBe("validation_failed");
    const problem = body.details.find(
      (detail) => detail.path.split(".")[0] === field,
    );
    expect(problem?.message).toContain(message);
    expect(await applicationCount()).toBe(0);
  });

  it("accepts a name of exactly 3 and 200 characters", async () => {
    const short = await submit(petrova, workApplication({ name: "ЦГУ" }));
    expect(short.statusCode).toBe(201);
    const other = profile({
      oid: "1000000020",
      organizations: [
        organization({ oid: "1000000104", ogrn: "1027800001041" }),
      ],
    });
    const long = await submit(
      await signInAs(t.db, other),
      workApplication({ organizationOid: "1000000104", name: "Я".repeat(200) }),
    );
    expect(long.statusCode).toBe(201);
  });

  it("rejects an editorial cabinet of another region", async () => {
    const response = await submit(
      petrova,
      workApplication({ editorialCabinetId: otherRegionCabinet }),
    );
    expect(response.statusCode).toBe(422);
    const body = response.json<ErrorBody>();
    expect(body.details).toEqual([
      {
        path: "editorialCabinetId",
        message: expect.stringContaining(
          "выберите действующий кабинет редакции РОИВ выбранного региона",
        ),
      },
    ]);
    expect(await applicationCount()).toBe(0);
  });

  it("rejects an editorial cabinet of another type", async () => {
    const response = await submit(
      petrova,
      workApplication({ editorialCabinetId: KR_OMSU }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.json<ErrorBody>().details[0]?.path).toBe(
      "editorialCabinetId",
    );
    expect(await applicationCount()).toBe(0);
  });

  it("rejects a work cabinet without an editorial cabinet", async () => {
    const response = await submit(
      petrova,
      workApplication({ editorialCabinetId: null }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.json<ErrorBody>().details).toEqual([
      {
        path: "editorialCabinetId",
        message:
          "Выберите редакцию органа, в ведении которого находится ваша организация",
      },
    ]);
  });

  it("rejects type РОИВ when the organization has no editorial cabinet", async () => {
    const response = await submit(
      petrova,
      workApplication({ type: "roiv", editorialCabinetId: KR_ROIV }),
    );
    expect(response.statusCode).toBe(422);
    const problem = response.json<ErrorBody>().details[0];
    expect(problem?.path).toBe("editorialCabinetId");
    expect(problem?.message).toContain(
      "сначала подайте заявку на кабинет редакции",
    );
    expect(await applicationCount()).toBe(0);
  });

  it("rejects an organization the person does not work for", async () => {
    const response = await submit(
      petrova,
      workApplication({ organizationOid: "1000000104" }),
    );
    expect(response.statusCode).toBe(403);
    expect(response.json<ErrorBody>().error).toBe("not_employee");
    expect(await applicationCount("1000000104")).toBe(0);
  });

  it.each([
    ["employee_blocked", { active: false }, "заблокирована"],
    ["organization_liquidated", { isLiquidated: true }, "ликвидирована"],
    [
      "individual_entrepreneur",
      { type: "BUSINESS" as const },
      "индивидуальный предприниматель",
    ],
    [
      "no_role",
      { chief: false, admin: false },
      "«Руководитель» или «Администратор»",
    ],
    ["no_group", { groups: [] }, "ПОС. Госпаблики. Кабинет учреждения"],
  ])("rejects an ineligible person: %s", async (_code, overrides, message) => {
    const session = await signInAs(
      t.db,
      profile({ oid: "1000000030", organizations: [organization(overrides)] }),
    );
    const response = await submit(session, workApplication());

    expect(response.statusCode).toBe(403);
    const body = response.json<ErrorBody>();
    expect(body.error).toBe("not_eligible");
    expect(body.message).toContain(message);
    expect(await applicationCount()).toBe(0);
  });

  it("rejects a work-cabinet applicant for an editorial cabinet", async () => {
    const response = await submit(
      petrova,
      workApplication({
        kind: "editorial",
        type: "roiv",
        editorialCabinetId: null,
      }),
    );
    expect(response.statusCode).toBe(403);
    expect(response.json<ErrorBody>().message).toContain(
      "ПОС. Госпаблики. Кабинет редакции",
    );
  });

  it("rejects a second application of the organization", async () => {
    expect((await submit(petrova, workApplication())).statusCode).toBe(201);
    const response = await submit(
      petrova,
      workApplication({ name: "Другой кабинет ЦГУ" }),
    );
    expect(response.statusCode).toBe(409);
    expect(response.json<ErrorBody>().error).toBe("application_exists");
    expect(response.json<ErrorBody>().message).toMatch(
      /заявка № ГП-\d{4}-\d{6}/,
    );
    expect(await applicationCount()).toBe(1);
  });

  it("rejects a name already used under the editorial cabinet", async () => {
    expect((await submit(petrova, workApplication())).statusCode).toBe(201);
    const colleague = await signInAs(
      t.db,
      profile({
        oid: "1000000021",
        organizations: [
          organization({ oid: "1000000104", ogrn: "1027800001041" }),
        ],
      }),
    );
    const response = await submit(
      colleague,
      workApplication({ organizationOid: "1000000104", name: "КАБИНЕТ  цгу" }),
    );
    expect(response.statusCode).toBe(409);
    const body = response.json<ErrorBody>();
    expect(body.error).toBe("name_taken");
    expect(body.details).toEqual([{ path: "name", message: body.message }]);
    expect(await applicationCount("1000000104")).toBe(0);

    // The same name under another editorial cabinet is free.
    const elsewhere = await submit(
      colleague,
      workApplication({
        organizationOid: "1000000104",
        name: "Кабинет ЦГУ",
        type: "omsu_subordinate",
        editorialCabinetId: KR_OMSU,
      }),
    );
    expect(elsewhere.statusCode).toBe(201);
  });

  it("rejects a submission after the session expired", async () => {
    const expired = await signInAs(t.db, profile(), { expiresInMs: -1000 });
    const response = await submit(expired, workApplication());
    expect(response.statusCode).toBe(401);
    expect(response.json<ErrorBody>().message).toContain("войдите через ЕСИА");
    expect(await applicationCount()).toBe(0);
    expect(await countRows(t.db, "sessions", sql`expires_at < now()`)).toBe(0);
  });

  it("rejects a submission without a session", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/applications",
      payload: workApplication(),
    });
    expect(response.statusCode).toBe(401);
    expect(await applicationCount()).toBe(0);
  });

  it("rejects a submission without the CSRF token", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/applications",
      headers: { cookie: petrova.cookie },
      payload: workApplication(),
    });
    expect(response.statusCode).toBe(403);
    expect(response.json<ErrorBody>().error).toBe("csrf_failed");
    expect(await applicationCount()).toBe(0);
  });

  it("checks the session and CSRF token before the form", async () => {
    // An invalid form: the responses must not reveal the form's rules.
    const anonymous = await t.app.inject({
      method: "POST",
      url: "/api/applications",
      payload: {},
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json<ErrorBody>().details).toEqual([]);

    const forged = await t.app.inject({
      method: "POST",
      url: "/api/applications",
      headers: { cookie: petrova.cookie },
      payload: {},
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json<ErrorBody>().details).toEqual([]);
  });

  it.each([
    [
      "a list for the body",
      [1, 2],
      "",
      "Отправьте данные запроса объектом JSON",
    ],
    ["a number for the name", { name: 5 }, "name", "Введите название кабинета"],
    [
      "an object for spheres",
      { spheres: { a: 1 } },
      "spheres",
      "Выберите хотя бы одну сферу",
    ],
  ])("answers %s in Russian", async (_case, payload, path, message) => {
    const body = Array.isArray(payload)
      ? payload
      : workApplication(payload as Record<string, unknown>);
    const response = await submit(petrova, body as Record<string, unknown>);

    expect(response.statusCode).toBe(422);
    const details = response.json<ErrorBody>().details;
    expect(details.find((detail) => detail.path === path)?.message).toBe(
      message,
    );
    for (const detail of details) expect(detail.message).toMatch(/[а-яё]/i);
  });

  it("answers a repeated idempotency key with the first application", async () => {
    const body = workApplication();
    const first = await submit(petrova, body);
    const second = await submit(petrova, { ...body, name: "Изменённое имя" });

    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
    expect(second.json().name).toBe("Кабинет ЦГУ");
    expect(await applicationCount()).toBe(1);
    expect(await countRows(t.db, "mail_outbox")).toBe(2);
  });

  it("gives one application for a double click", async () => {
    const body = workApplication();
    const responses = await Promise.all([
      submit(petrova, body),
      submit(petrova, body),
      submit(petrova, body),
    ]);
    const ids = new Set(responses.map((response) => response.json().id));

    expect(responses.map((response) => response.statusCode).sort()).toEqual([
      200, 200, 201,
    ]);
    expect(ids.size).toBe(1);
    expect(await applicationCount()).toBe(1);
    expect(await countRows(t.db, "application_revisions")).toBe(1);
  });

  it("gives one application for two employees at once", async () => {
    const colleague = await signInAs(
      t.db,
      profile({
        oid: "1000000022",
        organizations: [organization({ chief: true })],
      }),
    );
    const responses = await Promise.all([
      submit(petrova, workApplication()),
      submit(colleague, workApplication({ name: "Кабинет ЦГУ 2" })),
    ]);
    const codes = responses.map((response) => response.statusCode).sort();

    expect(codes).toEqual([201, 409]);
    const conflict = responses.find((response) => response.statusCode === 409);
    expect(conflict?.json<ErrorBody>().error).toBe("application_exists");
    expect(conflict?.json<ErrorBody>().message).toMatch(/заявка № ГП-/);
    expect(await applicationCount()).toBe(1);
    expect(await countRows(t.db, "name_claims")).toBe(1);
  });

  it("rejects a key reused for another organization", async () => {
    const both = await signInAs(
      t.db,
      profile({
        oid: "1000000023",
        organizations: [
          organization(),
          organization({ oid: "1000000104", fullName: "ГБУ «Второе»" }),
        ],
      }),
    );
    const body = workApplication();
    const first = await submit(both, body);
    const second = await submit(both, {
      ...body,
      organizationOid: "1000000104",
      name: "Кабинет второго",
    });

    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(409);
    expect(second.json<ErrorBody>().message).toMatch(/Повторный запрос/);
    expect(await applicationCount("1000000104")).toBe(0);
  });

  it("counts an emoji as one character of the name", async () => {
    const short = await submit(petrova, workApplication({ name: "🎉🎉" }));
    const long = await submit(
      petrova,
      workApplication({ name: "🎉".repeat(150) }),
    );

    expect(short.statusCode).toBe(422);
    expect(short.json<ErrorBody>().details[0]?.path).toBe("name");
    expect(short.json<ErrorBody>().details[0]?.message).toMatch(/не менее 3/);
    expect(long.statusCode).toBe(201);
  });
});

describe("POST /api/applications for an editorial cabinet", () => {
  const chief = () =>
    profile({
      oid: "1000000006",
      email: "e.morozova@kultura.spb.example",
      organizations: [editorialOrganization({ admin: false })],
    });
  const editorialApplication = (overrides: Record<string, unknown> = {}) =>
    workApplication({
      organizationOid: "1000000107",
      kind: "editorial",
      name: "КР Комитета по культуре",
      type: "roiv",
      editorialCabinetId: null,
      spheres: ["culture", "test_pp"],
      ...overrides,
    });

  it("creates an application without an editorial cabinet", async () => {
    const response = await submit(
      await signInAs(t.db, chief()),
      editorialApplication(),
    );
    expect(response.statusCode).toBe(201);
    expect(response.json().editorialCabinet).toBeNull();
    expect(response.json().spheres).toEqual(["culture", "test_pp"]);
    const [row] = await queryRows<{
      kind: string;
      editorial_cabinet_id: string | null;
    }>(t.db, sql`select kind, editorial_cabinet_id from applications`);
    expect(row).toEqual({ kind: "editorial", editorial_cabinet_id: null });
  });

  it("rejects a work-only type", async () => {
    const response = await submit(
      await signInAs(t.db, chief()),
      editorialApplication({ type: "roiv_subordinate" }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.json<ErrorBody>().details[0]?.path).toBe("type");
    expect(await applicationCount("1000000107")).toBe(0);
  });

  it("rejects a chosen editorial cabinet", async () => {
    const response = await submit(
      await signInAs(t.db, chief()),
      editorialApplication({ editorialCabinetId: KR_ROIV }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.json<ErrorBody>().details[0]?.path).toBe(
      "editorialCabinetId",
    );
  });
});

describe("POST /api/applications with the organization's own editorial cabinet", () => {
  // Иванова is the chief of КИП СПб, which owns «КР РОИВ».
  const ivanova = () =>
    profile({
      oid: "1000000001",
      organizations: [
        organization({
          oid: "1000000101",
          ogrn: "1027800001019",
          type: "AGENCY",
          chief: true,
          admin: false,
          groups: [
            { grpId: GROUPS.work, name: "ПОС. Госпаблики. Кабинет учреждения" },
            {
              grpId: GROUPS.editorial,
              name: "ПОС. Госпаблики. Кабинет редакции",
            },
          ],
        }),
      ],
    });
  const ownApplication = (overrides: Record<string, unknown> = {}) =>
    workApplication({
      organizationOid: "1000000101",
      name: "Рабочий кабинет КИП",
      type: "roiv",
      editorialCabinetId: KR_ROIV,
      spheres: ["test_pp"],
      ...overrides,
    });

  it("binds the work cabinet to the own editorial cabinet", async () => {
    const response = await submit(
      await signInAs(t.db, ivanova()),
      ownApplication(),
    );
    expect(response.statusCode).toBe(201);
    expect(response.json().editorialCabinet.id).toBe(KR_ROIV);
  });

  it.each([
    ["region", { region: "47" }],
    ["type", { type: "roiv_subordinate" }],
    ["spheres", { spheres: ["test_gp"] }],
    ["editorialCabinetId", { editorialCabinetId: KR_OMSU, type: "roiv" }],
  ])("rejects a changed locked field: %s", async (field, overrides) => {
    const response = await submit(
      await signInAs(t.db, ivanova()),
      ownApplication(overrides),
    );
    expect(response.statusCode).toBe(422);
    const problem = response
      .json<ErrorBody>()
      .details.find((d) => d.path === field);
    expect(problem?.message).toContain("не может быть изменено");
    expect(await applicationCount("1000000101")).toBe(0);
  });
});
