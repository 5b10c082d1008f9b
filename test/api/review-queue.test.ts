import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countReviewQueue } from "../../src/db/queries/review-queue.js";
import type { EsiaProfile } from "../../src/domain/esia-profile.js";
import { insertEditorialCabinet } from "../helpers/applicant.js";
import { organization, profile } from "../helpers/profiles.js";
import { signInAs, type TestSession } from "../helpers/session.js";
import {
  KR_OMSU,
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
let leningradCabinet: string;

/** Builds a valid 13-digit ОГРН from a 12-digit body. */
function ogrnFrom(body: string): string {
  return body + String(Number((BigInt(body) % 11n) % 10n));
}

interface Subordinate {
  key: string;
  name: string;
  ogrn: string;
  region: string;
  type: string;
  editorialCabinetId: string;
}

/** Subordinate organizations, each with one work-cabinet application. */
const SUBORDINATES: Subordinate[] = [
  {
    key: "01",
    name: "Школа № 1",
    region: "78",
    type: "roiv_subordinate",
    editorialCabinetId: "roiv",
  },
  {
    key: "02",
    name: "Гимназия № 2",
    region: "78",
    type: "roiv_territorial",
    editorialCabinetId: "roiv",
  },
  {
    key: "03",
    name: "Поликлиника № 3",
    region: "78",
    type: "roiv_subordinate",
    editorialCabinetId: "roiv",
  },
  {
    key: "04",
    name: "ШКОЛА искусств № 4",
    region: "78",
    type: "roiv_subordinate",
    editorialCabinetId: "roiv",
  },
  {
    key: "05",
    name: "Библиотека № 5",
    region: "78",
    type: "roiv_subordinate",
    editorialCabinetId: "roiv",
  },
  {
    key: "06",
    name: "Дом культуры № 6",
    region: "78",
    type: "omsu_subordinate",
    editorialCabinetId: "omsu",
  },
  {
    key: "07",
    name: "Школа Ленобласти № 7",
    region: "47",
    type: "roiv_subordinate",
    editorialCabinetId: "lo",
  },
].map((entry) => ({ ...entry, ogrn: ogrnFrom(`1027800099${entry.key}`) }));

function applicantOf(entry: Subordinate): EsiaProfile {
  return profile({
    oid: `20000000${entry.key}`,
    lastName: `Заявитель${entry.key}`,
    organizations: [
      organization({
        oid: `30000000${entry.key}`,
        ogrn: entry.ogrn,
        fullName: `Учреждение ${entry.name}`,
        shortName: entry.name,
      }),
    ],
  });
}

const ids = new Map<string, string>();

interface QueueBody {
  items: {
    id: string;
    name: string;
    ogrn: string;
    state: string;
    regionCode: string;
    typeCode: string;
    queuedAt: string;
    editorialCabinetName: string | null;
    organizationName: string;
    applicantName: string;
  }[];
  nextCursor: string | null;
  counts: { state: string; count: number; capped: boolean }[];
}

async function queue(session: TestSession, query: Record<string, string> = {}) {
  const search = new URLSearchParams(query).toString();
  return t.app.inject({
    method: "GET",
    url: `/api/review/queue${search ? `?${search}` : ""}`,
    headers: { cookie: session.cookie },
  });
}

async function queueNames(
  session: TestSession,
  query: Record<string, string> = {},
) {
  const response = await queue(session, query);
  expect(response.statusCode).toBe(200);
  return response.json<QueueBody>().items.map((item) => item.name);
}

function countOf(body: QueueBody, state: string): number | undefined {
  return body.counts.find((entry) => entry.state === state)?.count;
}

beforeAll(async () => {
  t = await startReviewApp();
  as = await signInEveryone(t.db);
  leningradCabinet = await insertEditorialCabinet(t.db, {
    organizationOid: "1000000201",
    name: "КР РОИВ Ленобласти",
    regionCode: "47",
    typeCode: "roiv",
  });
  const editorial: Record<string, string> = {
    roiv: KR_ROIV,
    omsu: KR_OMSU,
    lo: leningradCabinet,
  };
  for (const entry of SUBORDINATES) {
    const session = await signInAs(t.db, applicantOf(entry));
    const id = await submitThroughApi(t.app, session, {
      organizationOid: `30000000${entry.key}`,
      kind: "work",
      name: entry.name,
      region: entry.region,
      type: entry.type,
      editorialCabinetId: editorial[entry.editorialCabinetId],
      spheres: ["education"],
      email: `org${entry.key}@example.ru`,
    });
    ids.set(entry.key, id);
  }
  // Two applications queued at the same instant: the id breaks the tie.
  await t.db.execute(
    sql`update applications set queued_at = (select queued_at from applications where id = ${ids.get("02")!})
      where id = ${ids.get("03")!}`,
  );
  const rejected = await reject(
    t.app,
    as.ivanova,
    ids.get("05")!,
    1,
    "Уточните название",
  );
  expect(rejected.statusCode).toBe(200);
});

afterAll(async () => {
  await t?.close();
});

describe("review queue", () => {
  it("lists the editorial cabinet's submitted applications oldest first", async () => {
    const response = await queue(as.ivanova);

    expect(response.statusCode).toBe(200);
    const body = response.json<QueueBody>();
    const sorted = [...body.items].sort(
      (a, b) =>
        a.queuedAt.localeCompare(b.queuedAt) || a.id.localeCompare(b.id),
    );
    expect(body.items.map((item) => item.id)).toEqual(
      sorted.map((item) => item.id),
    );
    expect(new Set(body.items.map((item) => item.name))).toEqual(
      new Set([
        "Школа № 1",
        "Гимназия № 2",
        "Поликлиника № 3",
        "ШКОЛА искусств № 4",
      ]),
    );
    expect(body.items[0]).toMatchObject({
      name: "Школа № 1",
      state: "submitted",
      editorialCabinetName: "КР РОИВ",
      organizationName: "Учреждение Школа № 1",
      applicantName: "Заявитель01 Анна Сергеевна",
    });
    expect(body.nextCursor).toBeNull();
  });

  it("counts each status", async () => {
    const body = (await queue(as.ivanova)).json<QueueBody>();

    expect(countOf(body, "submitted")).toBe(4);
    expect(countOf(body, "rejected")).toBe(1);
    expect(countOf(body, "approved")).toBe(0);
    expect(countOf(body, "withdrawn")).toBe(0);
    expect(body.counts.every((entry) => entry.capped === false)).toBe(true);
  });

  it("stops counting at the cap", async () => {
    const scope = { editorialCabinetIds: [KR_ROIV], operatorRegions: null };

    const counts = await countReviewQueue(t.db, scope, {}, 3);

    expect(counts.find((entry) => entry.state === "submitted")).toEqual({
      state: "submitted",
      count: 3,
      capped: true,
    });
    expect(counts.find((entry) => entry.state === "rejected")).toEqual({
      state: "rejected",
      count: 1,
      capped: false,
    });
  });

  it("counts only the requested states", async () => {
    const scope = { editorialCabinetIds: [KR_ROIV], operatorRegions: null };

    const counts = await countReviewQueue(t.db, scope, {
      states: ["rejected"],
    });

    expect(counts).toEqual([{ state: "rejected", count: 1, capped: false }]);
    expect(await countReviewQueue(t.db, scope, { states: [] })).toEqual([]);
  });

  it("counts a search only in the listed status", async () => {
    const body = (await queue(as.ivanova, { q: "школа" })).json<QueueBody>();

    expect(body.counts).toEqual([
      { state: "submitted", count: 2, capped: false },
    ]);
  });

  it("counts a search in every status for all", async () => {
    const response = await queue(as.ivanova, {
      q: "библиотека",
      status: "all",
    });

    expect(response.statusCode).toBe(200);
    const body = response.json<QueueBody>();
    expect(body.items.map((item) => item.name)).toEqual(["Библиотека № 5"]);
    expect(body.counts).toHaveLength(4);
    expect(countOf(body, "rejected")).toBe(1);
    expect(countOf(body, "submitted")).toBe(0);
    expect(countOf(body, "approved")).toBe(0);
    expect(countOf(body, "withdrawn")).toBe(0);
  });

  it("pages with a cursor without gaps or repeats", async () => {
    const all = await queue(as.sokolov, { status: "all", limit: "100" });
    const expected = all.json<QueueBody>().items.map((item) => item.id);
    expect(expected).toHaveLength(SUBORDINATES.length);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await queue(as.sokolov, {
        status: "all",
        limit: "2",
        ...(cursor ? { cursor } : {}),
      });
      expect(response.statusCode).toBe(200);
      const body = response.json<QueueBody>();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);

    expect(seen).toEqual(expected);
    expect(pages).toBe(4);
  });

  it("filters by status", async () => {
    expect(await queueNames(as.ivanova, { status: "rejected" })).toEqual([
      "Библиотека № 5",
    ]);
    expect(await queueNames(as.ivanova, { status: "approved" })).toEqual([]);
    expect(await queueNames(as.ivanova, { status: "all" })).toHaveLength(5);
  });

  it("filters by type", async () => {
    expect(await queueNames(as.ivanova, { type: "roiv_territorial" })).toEqual([
      "Гимназия № 2",
    ]);
  });

  it("filters by region for an operator", async () => {
    const names = await queueNames(as.sokolov, { region: "47" });

    expect(names).toEqual(["Школа Ленобласти № 7"]);
  });

  it("searches a name substring regardless of case", async () => {
    const names = await queueNames(as.ivanova, { q: "школа" });

    expect(names).toEqual(["Школа № 1", "ШКОЛА искусств № 4"]);
  });

  it("searches with a mixed-case query", async () => {
    const names = await queueNames(as.ivanova, { q: "шКОЛа" });

    expect(names).toEqual(["Школа № 1", "ШКОЛА искусств № 4"]);
  });

  it("searches the current name after a rename", async () => {
    const id = ids.get("03")!;
    await t.db.execute(
      sql`update applications set name = 'Лицей № 3' where id = ${id}`,
    );
    try {
      expect(await queueNames(as.ivanova, { q: "ЛИЦЕЙ" })).toEqual([
        "Лицей № 3",
      ]);
      expect(await queueNames(as.ivanova, { q: "поликлиника" })).toEqual([]);
    } finally {
      await t.db.execute(
        sql`update applications set name = 'Поликлиника № 3' where id = ${id}`,
      );
    }
  });

  it("searches an ОГРН prefix and a whole ОГРН", async () => {
    const ogrn = SUBORDINATES.find((entry) => entry.key === "03")!.ogrn;

    expect(await queueNames(as.ivanova, { q: ogrn })).toEqual([
      "Поликлиника № 3",
    ]);
    expect(await queueNames(as.ivanova, { q: "10278000990" })).toHaveLength(4);
  });

  it("treats LIKE wildcards in the search as text", async () => {
    expect(await queueNames(as.sokolov, { q: "%%%" })).toEqual([]);
    expect(await queueNames(as.sokolov, { q: "___" })).toEqual([]);
  });

  it("rejects a search shorter than 3 characters", async () => {
    const response = await queue(as.ivanova, { q: "шк" });

    expect(response.statusCode).toBe(422);
    expect(response.json().details[0].path).toBe("q");
  });

  it("rejects a damaged cursor", async () => {
    const response = await queue(as.ivanova, { cursor: "not-a-cursor" });

    expect(response.statusCode).toBe(422);
    expect(response.json().details[0].path).toBe("cursor");
  });

  it("shows an operator every region", async () => {
    const body = (await queue(as.sokolov)).json<QueueBody>();

    expect(body.items).toHaveLength(6);
    expect(countOf(body, "submitted")).toBe(6);
    expect(countOf(body, "rejected")).toBe(1);
  });

  it("limits a regional operator to the region", async () => {
    expect(await queueNames(as.regionalOperator)).toEqual([
      "Школа Ленобласти № 7",
    ]);
    expect(await queueNames(as.regionalOperator, { region: "78" })).toEqual([]);
  });

  it("shows another editorial cabinet only its own", async () => {
    expect(await queueNames(as.kuznetsov)).toEqual(["Дом культуры № 6"]);
  });

  it("narrows to one editorial cabinet", async () => {
    const names = await queueNames(as.sokolov, { editorialCabinetId: KR_OMSU });

    expect(names).toEqual(["Дом культуры № 6"]);
  });

  it("hides another editorial cabinet's queue", async () => {
    const response = await queue(as.kuznetsov, { editorialCabinetId: KR_ROIV });

    expect(response.statusCode).toBe(404);
  });

  it("rejects a person without review rights", async () => {
    const response = await queue(as.petrov);

    expect(response.statusCode).toBe(403);
    expect(response.json().error).toBe("no_review_rights");
  });

  it("returns the review rights", async () => {
    const reviewer = await t.app.inject({
      method: "GET",
      url: "/api/review/access",
      headers: { cookie: as.ivanova.cookie },
    });
    const operator = await t.app.inject({
      method: "GET",
      url: "/api/review/access",
      headers: { cookie: as.regionalOperator.cookie },
    });

    expect(reviewer.json()).toEqual({
      operatorRegions: null,
      editorialCabinets: [
        { id: KR_ROIV, name: "КР РОИВ", regionName: "Санкт-Петербург" },
      ],
    });
    expect(operator.json()).toEqual({
      operatorRegions: ["47"],
      editorialCabinets: [],
    });
  });
});
