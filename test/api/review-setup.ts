import { randomUUID } from "node:crypto";
import { loadConfig } from "../../src/config.js";
import type { Database } from "../../src/db/client.js";
import { loadDemoData } from "../../src/db/demo-data.js";
import type { EsiaProfile } from "../../src/domain/esia-profile.js";
import { buildApp, type App } from "../../src/server/app.js";
import { KR_OMSU, KR_ROIV } from "../helpers/applicant.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { GROUPS, organization, profile } from "../helpers/profiles.js";
import { signInAs, type TestSession } from "../helpers/session.js";

export { KR_OMSU, KR_ROIV };

const WORK_GROUP = {
  grpId: GROUPS.work,
  name: "ПОС. Госпаблики. Кабинет учреждения",
};
const EDITORIAL_GROUP = {
  grpId: GROUPS.editorial,
  name: "ПОС. Госпаблики. Кабинет редакции",
};

/** Organizations of the demo fixture, as ESIA returns them to their employees. */
export const ORGANIZATIONS = {
  /** Owner of «КР РОИВ». */
  kip: organization({
    oid: "1000000101",
    ogrn: "1027800001019",
    fullName: "Комитет по информационной политике Санкт-Петербурга",
    shortName: "КИП СПб",
    type: "AGENCY",
  }),
  /** Owner of «КР ОМСУ». */
  moTest: organization({
    oid: "1000000102",
    ogrn: "1027800001020",
    fullName: "Местная администрация муниципального образования Тестовый округ",
    shortName: "МА МО Тестовый",
    type: "AGENCY",
  }),
  cgu: organization(),
  dcTest: organization({
    oid: "1000000104",
    ogrn: "1027800001041",
    fullName: "МБУ «Досуговый центр «Тестовый»",
    shortName: "МБУ ДЦ Тестовый",
  }),
  /** A РОИВ without an editorial cabinet yet. */
  kk: organization({
    oid: "1000000107",
    ogrn: "1027800001074",
    fullName: "Комитет по культуре Санкт-Петербурга",
    shortName: "КК СПб",
    type: "AGENCY",
  }),
};

function employee(
  oid: string,
  lastName: string,
  org: keyof typeof ORGANIZATIONS,
  groups: (typeof WORK_GROUP)[],
  extra: Partial<EsiaProfile> = {},
): EsiaProfile {
  return profile({
    oid,
    lastName,
    firstName: "Тест",
    middleName: null,
    email: `${oid}@example.ru`,
    mobile: "+7(900)0000000",
    organizations: [{ ...ORGANIZATIONS[org], groups }],
    ...extra,
  });
}

/** The people of the review tests, named after the demo fixture's roles. */
export const PEOPLE = {
  /** Applicant of СПб ГБУ ЦГУ. */
  petrov: employee("1000000002", "Петров", "cgu", [WORK_GROUP], {
    email: "a.petrov@cgu.example.ru",
    mobile: "+7(900)1112233",
  }),
  /** Applicant of МБУ ДЦ Тестовый, bound to «КР ОМСУ». */
  smirnova: employee("1000000003", "Смирнова", "dcTest", [WORK_GROUP]),
  /** Reviewer of «КР РОИВ» who may also apply for the КИП's work cabinet. */
  ivanova: employee("1000000001", "Иванова", "kip", [
    WORK_GROUP,
    EDITORIAL_GROUP,
  ]),
  /** Second reviewer of «КР РОИВ». */
  volkov: employee("1000000007", "Волков", "kip", [EDITORIAL_GROUP]),
  /** Reviewer of «КР ОМСУ», another editorial cabinet. */
  kuznetsov: employee("1000000004", "Кузнецов", "moTest", [EDITORIAL_GROUP]),
  /** КИП employee without the editorial access group. */
  noGroup: employee("1000000009", "Безгруппов", "kip", [WORK_GROUP]),
  /** Applicant for the editorial cabinet of КК СПб. */
  morozova: employee("1000000006", "Морозова", "kk", [EDITORIAL_GROUP]),
  /** Platform operator of every region. */
  sokolov: profile({
    oid: "1000000005",
    lastName: "Соколов",
    firstName: "Игорь",
    middleName: null,
    email: "operator@example.ru",
    organizations: [],
  }),
  /** Platform operator of Ленинградская область (47) only. */
  regionalOperator: profile({
    oid: "1000000008",
    lastName: "Областной",
    firstName: "Оператор",
    middleName: null,
    email: "operator47@example.ru",
    organizations: [],
  }),
};

export const PLATFORM_OPERATORS = "1000000005;1000000008:47";

export interface ReviewTestApp {
  database: TestDatabase;
  db: Database;
  app: App;
  close(): Promise<void>;
}

/** Builds the product over a fresh database with the demo cabinets and two operators. */
export async function startReviewApp(
  env: Record<string, string> = {},
): Promise<ReviewTestApp> {
  const database = await createTestDatabase();
  await loadDemoData(database.handle.db);
  const app = await buildApp(
    {
      config: loadConfig({
        LOG_LEVEL: "silent",
        PLATFORM_OPERATORS,
        ...env,
      }),
      database: database.handle,
    },
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

/** Signs every person of PEOPLE in; returns their sessions by the same keys. */
export async function signInEveryone(
  db: Database,
): Promise<Record<keyof typeof PEOPLE, TestSession>> {
  const entries: [string, TestSession][] = [];
  for (const [key, person] of Object.entries(PEOPLE)) {
    entries.push([key, await signInAs(db, person)]);
  }
  return Object.fromEntries(entries) as Record<
    keyof typeof PEOPLE,
    TestSession
  >;
}

/** Form fields of a work-cabinet application of СПб ГБУ ЦГУ to «КР РОИВ». */
export function cguApplication(overrides: Record<string, unknown> = {}) {
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

/** Submits an application through the API and returns its id; fails the test on an error. */
export async function submitThroughApi(
  app: App,
  session: TestSession,
  body: Record<string, unknown>,
): Promise<string> {
  const response = await app.inject({
    method: "POST",
    url: "/api/applications",
    headers: session.headers,
    payload: body,
  });
  if (response.statusCode !== 201) {
    throw new Error(
      `submission failed with ${response.statusCode}: ${response.body}`,
    );
  }
  return response.json<{ id: string }>().id;
}

export function approve(
  app: App,
  session: TestSession,
  id: string,
  revision: number,
) {
  return app.inject({
    method: "POST",
    url: `/api/review/applications/${id}/approve`,
    headers: session.headers,
    payload: { revision },
  });
}

export function reject(
  app: App,
  session: TestSession,
  id: string,
  revision: number,
  reason?: string,
) {
  return app.inject({
    method: "POST",
    url: `/api/review/applications/${id}/reject`,
    headers: session.headers,
    payload: reason === undefined ? { revision } : { revision, reason },
  });
}

export function getReview(app: App, session: TestSession, id: string) {
  return app.inject({
    method: "GET",
    url: `/api/review/applications/${id}`,
    headers: { cookie: session.cookie },
  });
}
