import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { spheres } from "../../src/db/schema.js";
import { REGIONS } from "../../src/domain/regions.js";
import {
  clearApplications,
  insertEditorialCabinet,
  KR_OMSU,
  KR_ROIV,
  startApplicantApp,
  workApplication,
  type ApplicantTestApp,
} from "../helpers/applicant.js";
import { GROUPS, organization, profile } from "../helpers/profiles.js";
import { signInAs, type TestSession } from "../helpers/session.js";

let t: ApplicantTestApp;

const WORK_GROUP = {
  grpId: GROUPS.work,
  name: "ПОС. Госпаблики. Кабинет учреждения",
};
const EDITORIAL_GROUP = {
  grpId: GROUPS.editorial,
  name: "ПОС. Госпаблики. Кабинет редакции",
};

/** Иванова: chief of КИП СПб (owner of «КР РОИВ») in both groups. */
const kip = organization({
  oid: "1000000101",
  ogrn: "1027800001019",
  fullName: "Комитет по информационной политике Санкт-Петербурга",
  shortName: "КИП СПб",
  type: "AGENCY",
  chief: true,
  admin: false,
  groups: [WORK_GROUP, EDITORIAL_GROUP],
});
const liquidated = organization({
  oid: "1000000105",
  ogrn: "1027800001052",
  shortName: "СПб ГУП «Невский вектор»",
  isLiquidated: true,
  chief: false,
  admin: false,
});

async function get(session: TestSession | undefined, url: string) {
  return t.app.inject({
    method: "GET",
    url,
    headers: session ? { cookie: session.cookie } : {},
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
});

describe("GET /api/organizations", () => {
  it("lists the session's organizations with what each kind leads to", async () => {
    const session = await signInAs(
      t.db,
      profile({ organizations: [organization(), kip, liquidated] }),
    );
    const response = await get(session, "/api/organizations");

    expect(response.statusCode).toBe(200);
    const list = response.json().organizations;
    expect(list.map((org: { oid: string }) => org.oid)).toEqual([
      "1000000103",
      "1000000101",
      "1000000105",
    ]);
    const [cgu, committee, vector] = list;

    expect(cgu.available).toBe(true);
    expect(cgu.kinds.work).toMatchObject({
      eligible: true,
      next: "form",
      problems: [],
    });
    expect(cgu.kinds.editorial.next).toBe("unavailable");
    expect(
      cgu.kinds.editorial.problems.map((p: { code: string }) => p.code),
    ).toEqual(["no_group"]);

    expect(committee.kinds.editorial).toMatchObject({
      next: "cabinet",
      cabinet: { id: KR_ROIV, name: "КР РОИВ", canEnter: true },
    });
    expect(committee.kinds.work.next).toBe("form");

    expect(vector.available).toBe(false);
    expect(
      vector.kinds.work.problems.map((p: { code: string }) => p.code),
    ).toEqual(["organization_liquidated", "no_role"]);
    expect(
      vector.kinds.editorial.problems.map((p: { code: string }) => p.code),
    ).toEqual(["organization_liquidated", "no_role", "no_group"]);
  });

  it("leads to the open application", async () => {
    const session = await signInAs(t.db, profile());
    const submitted = await t.app.inject({
      method: "POST",
      url: "/api/applications",
      headers: session.headers,
      payload: workApplication(),
    });
    expect(submitted.statusCode).toBe(201);

    const response = await get(session, "/api/organizations");
    const work = response.json().organizations[0].kinds.work;
    expect(work.next).toBe("application");
    expect(work.application).toEqual({
      id: submitted.json().id,
      reference: submitted.json().reference,
      state: "submitted",
      revision: 1,
    });
  });

  it("shows a cabinet without access as unavailable", async () => {
    // A chief of КИП СПб without the editorial group may not enter «КР РОИВ».
    const session = await signInAs(
      t.db,
      profile({ organizations: [{ ...kip, groups: [WORK_GROUP] }] }),
    );
    const editorial = (await get(session, "/api/organizations")).json()
      .organizations[0].kinds.editorial;
    expect(editorial.next).toBe("unavailable");
    expect(editorial.cabinet).toEqual({
      id: KR_ROIV,
      name: "КР РОИВ",
      canEnter: false,
    });
    expect(editorial.problems.map((p: { code: string }) => p.code)).toEqual([
      "no_group",
    ]);
  });

  it("lists nothing for a person without organizations", async () => {
    const session = await signInAs(t.db, profile({ organizations: [] }));
    const response = await get(session, "/api/organizations");
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ organizations: [] });
  });

  it("requires a session", async () => {
    const response = await get(undefined, "/api/organizations");
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toBe("unauthorized");
  });
});

describe("GET /api/organizations/:oid/kinds/:kind", () => {
  it("returns the own editorial cabinet that locks the form", async () => {
    const session = await signInAs(
      t.db,
      profile({
        oid: "1000000001",
        email: "m.ivanova@kip.spb.example",
        organizations: [kip],
      }),
    );
    const response = await get(
      session,
      "/api/organizations/1000000101/kinds/work",
    );

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      kind: "work",
      organization: { oid: "1000000101", ogrn: "1027800001019" },
      status: { next: "form", eligible: true },
      ownEditorialCabinet: {
        id: KR_ROIV,
        name: "КР РОИВ",
        regionCode: "78",
        typeCode: "roiv",
        spheres: ["test_pp"],
      },
      defaultEmail: "m.ivanova@kip.spb.example",
    });
  });

  it("returns no own editorial cabinet for a subordinate", async () => {
    const session = await signInAs(t.db, profile());
    const response = await get(
      session,
      "/api/organizations/1000000103/kinds/work",
    );
    expect(response.statusCode).toBe(200);
    expect(response.json().ownEditorialCabinet).toBeNull();
    expect(response.json().defaultEmail).toBe("petrova@example.ru");
  });

  it("hides an organization the person does not work for", async () => {
    const session = await signInAs(t.db, profile());
    const response = await get(
      session,
      "/api/organizations/1000000101/kinds/work",
    );
    expect(response.statusCode).toBe(404);
  });

  it("rejects an unknown kind", async () => {
    const session = await signInAs(t.db, profile());
    const response = await get(
      session,
      "/api/organizations/1000000103/kinds/federal",
    );
    expect(response.statusCode).toBe(422);
    expect(response.json().details[0].path).toBe("kind");
  });
});

describe("GET /api/dictionaries", () => {
  it("returns the regions, types and active spheres", async () => {
    await t.db
      .insert(spheres)
      .values({
        code: "retired_test",
        name: "Упразднённая сфера",
        retiredAt: new Date(),
      })
      .onConflictDoNothing();
    const session = await signInAs(t.db, profile());
    const response = await get(session, "/api/dictionaries");

    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.regions).toHaveLength(89);
    expect(body.regions).toEqual(REGIONS);
    expect(
      body.cabinetTypes.map((type: { code: string }) => type.code),
    ).toEqual([
      "roiv",
      "omsu",
      "roiv_territorial",
      "roiv_subordinate",
      "omsu_subordinate",
    ]);
    expect(body.cabinetTypes[2]).toEqual({
      code: "roiv_territorial",
      name: "Территориальный орган РОИВ",
      kinds: ["work"],
      editorialRule: "roiv",
    });
    const names = body.spheres.map((sphere: { name: string }) => sphere.name);
    expect(names).toContain("Тестовая сфера ПП");
    expect(names).toContain("Тестовая сфера ГП");
    expect(names).not.toContain("Упразднённая сфера");
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, "ru")));
  });
});

describe("GET /api/editorial-cabinets", () => {
  let session: TestSession;
  const search = (query: string) =>
    get(session, `/api/editorial-cabinets?organizationOid=1000000103&${query}`);
  const names = (response: Awaited<ReturnType<typeof search>>) =>
    response.json().items.map((item: { name: string }) => item.name);

  beforeAll(async () => {
    // Region 50 gets more cabinets than one page holds, one of them closed.
    for (let index = 1; index <= 25; index++) {
      await insertEditorialCabinet(t.db, {
        organizationOid: `20000000${String(index).padStart(2, "0")}`,
        name: `Редакция ${String(index).padStart(2, "0")} Подмосковья`,
        regionCode: "50",
        typeCode: "roiv",
        status: index === 25 ? "closed" : "active",
      });
    }
    await insertEditorialCabinet(t.db, {
      organizationOid: "2000000100",
      name: "Редакция 100% _ёлки_",
      regionCode: "50",
      typeCode: "omsu",
    });
  });

  beforeEach(async () => {
    session = await signInAs(t.db, profile());
  });

  it("lists the РОИВ editorial cabinets for a РОИВ subordinate", async () => {
    const response = await search("region=78&type=roiv_subordinate");
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      rule: "roiv",
      items: [
        {
          id: KR_ROIV,
          name: "КР РОИВ",
          regionCode: "78",
          typeCode: "roiv",
          organizationShortName: "КИП СПб",
        },
      ],
      hasMore: false,
    });
  });

  it("lists the ОМСУ editorial cabinets for an ОМСУ subordinate", async () => {
    const response = await search("region=78&type=omsu_subordinate");
    expect(response.json().rule).toBe("omsu");
    expect(
      response.json().items.map((item: { id: string }) => item.id),
    ).toEqual([KR_OMSU]);
  });

  it("lists the РОИВ cabinets for a territorial body", async () => {
    expect(names(await search("region=78&type=roiv_territorial"))).toEqual([
      "КР РОИВ",
    ]);
  });

  it("lists nothing in a region without editorial cabinets", async () => {
    const response = await search("region=01&type=roiv_subordinate");
    expect(response.json()).toEqual({
      rule: "roiv",
      items: [],
      hasMore: false,
    });
  });

  it("searches the name case-insensitively", async () => {
    expect(
      names(await search("region=78&type=roiv_subordinate&q=кр%20р")),
    ).toEqual(["КР РОИВ"]);
    expect(
      names(await search("region=78&type=roiv_subordinate&q=омсу")),
    ).toEqual([]);
    expect(
      names(await search("region=78&type=roiv_subordinate&q=роив")),
    ).toEqual(["КР РОИВ"]);
  });

  it("treats % and _ in the search text as letters", async () => {
    expect(
      names(await search("region=50&type=omsu_subordinate&q=%25")),
    ).toEqual(["Редакция 100% _ёлки_"]);
    expect(
      names(await search("region=50&type=roiv_subordinate&q=%25")),
    ).toEqual([]);
    expect(
      names(await search("region=50&type=omsu_subordinate&q=ЕЛКИ")),
    ).toEqual(["Редакция 100% _ёлки_"]);
  });

  it("pages by limit and leaves out closed cabinets", async () => {
    const first = await search("region=50&type=roiv_subordinate&limit=20");
    expect(first.json().items).toHaveLength(20);
    expect(first.json().hasMore).toBe(true);
    expect(first.json().items[0].name).toBe("Редакция 01 Подмосковья");

    const all = await search("region=50&type=roiv_subordinate&limit=50");
    expect(all.json().items).toHaveLength(24);
    expect(all.json().hasMore).toBe(false);
    expect(names(all)).not.toContain("Редакция 25 Подмосковья");
  });

  it("offers only the own editorial cabinet for type РОИВ", async () => {
    expect((await search("region=78&type=roiv")).json()).toEqual({
      rule: "own",
      items: [],
      hasMore: false,
    });
    const ivanova = await signInAs(
      t.db,
      profile({ oid: "1000000001", organizations: [kip] }),
    );
    const response = await get(
      ivanova,
      "/api/editorial-cabinets?organizationOid=1000000101&region=78&type=roiv",
    );
    expect(
      response.json().items.map((item: { id: string }) => item.id),
    ).toEqual([KR_ROIV]);
  });

  it.each([
    ["region", "region=99&type=roiv_subordinate"],
    ["type", "region=78&type=federal"],
    ["limit", "region=78&type=roiv_subordinate&limit=51"],
    ["limit", "region=78&type=roiv_subordinate&limit=0"],
    ["q", `region=78&type=roiv_subordinate&q=${"а".repeat(101)}`],
  ])("rejects a bad %s", async (field, query) => {
    const response = await search(query);
    expect(response.statusCode).toBe(422);
    expect(response.json().details[0].path).toBe(field);
  });

  it("hides the search for another organization", async () => {
    const response = await get(
      session,
      "/api/editorial-cabinets?organizationOid=1000000101&region=78&type=roiv",
    );
    expect(response.statusCode).toBe(404);
  });
});
