/**
 * Signed-in users for the load runs. Sessions are inserted straight into the
 * `sessions` table, keyed by the product's own token hash, as a sign-in
 * through ESIA would leave them. The load then sends the cookie and the CSRF
 * token like a browser.
 */
import { randomUUID } from "node:crypto";
import type { DatabaseHandle } from "../src/db/client.js";
import type {
  EsiaOrganization,
  EsiaProfile,
} from "../src/domain/esia-profile.js";
import { ACCESS_GROUP_NAMES } from "../src/domain/eligibility.js";
import { hashToken, SESSION_COOKIE } from "../src/server/session.js";
import { queryAll } from "./databases.js";
import { IDS } from "./generate.js";
import type { LoadRequest } from "./load.js";

/** ESIA group ids the product runs with (its defaults). */
export const GROUPS = { work: "POS_GP_WORK", editorial: "POS_GP_EDITORIAL" };

export interface SignedIn {
  cookie: string;
  csrf: string;
  profile: EsiaProfile;
}

/** Headers of a browser request in the session; JSON body when `json`. */
export function sessionHeaders(user: SignedIn, json = false) {
  return {
    cookie: `${SESSION_COOKIE}=${user.cookie}`,
    "x-csrf-token": user.csrf,
    ...(json ? { "content-type": "application/json" } : {}),
  };
}

/**
 * Inserts one session per profile, as a sign-in through ESIA leaves it.
 * NOTE: `last_seen_at` is set 10 minutes ahead, so that the product's
 * once-a-minute refresh of it (an UPDATE and a commit) does not fire during
 * the run. A person on the form has just refreshed it with the form's own
 * requests, so a submit seldom pays for it.
 */
export async function insertSessions(
  handle: DatabaseHandle,
  label: string,
  profiles: EsiaProfile[],
): Promise<SignedIn[]> {
  const users = profiles.map((profile, index) => ({
    cookie: `bench-${label}-${index}-${randomUUID()}`,
    csrf: randomUUID(),
    profile,
  }));
  const chunk = 5_000;
  for (let start = 0; start < users.length; start += chunk) {
    const part = users.slice(start, start + chunk);
    await queryAll(
      handle,
      `insert into sessions (id, person_oid, profile, csrf_token, created_at, last_seen_at, expires_at)
       select id, person_oid, profile::jsonb, csrf, now(),
              now() + interval '10 minutes', now() + interval '8 hours'
         from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as s(id, person_oid, profile, csrf)`,
      [
        part.map((user) => hashToken(user.cookie)),
        part.map((user) => user.profile.oid),
        part.map((user) => JSON.stringify(user.profile)),
        part.map((user) => user.csrf),
      ],
    );
  }
  return users;
}

function organization(
  oid: string,
  ogrn: string,
  name: string,
  group: "work" | "editorial",
): EsiaOrganization {
  return {
    oid,
    ogrn,
    fullName: `Государственное бюджетное учреждение «${name}»`,
    shortName: name,
    type: group === "editorial" ? "AGENCY" : "LEGAL",
    chief: true,
    admin: false,
    active: true,
    isLiquidated: false,
    groups: [{ grpId: GROUPS[group], name: ACCESS_GROUP_NAMES[group] }],
  };
}

function person(oid: string, organizations: EsiaOrganization[]): EsiaProfile {
  return {
    oid,
    lastName: "Петров",
    firstName: "Пётр",
    middleName: "Петрович",
    email: `person${oid}@example.ru`,
    mobile: "+7(900)1234567",
    organizations,
  };
}

/** ОГРН with a valid check digit from a 12-digit body. */
export function ogrnFromBody(body: number): string {
  return `${body}${(body % 11) % 10}`;
}

export interface EditorialCabinet {
  id: string;
  regionCode: string;
  typeCode: string;
  organizationOid: string;
}

export async function loadEditorialCabinets(
  handle: DatabaseHandle,
): Promise<EditorialCabinet[]> {
  return queryAll<EditorialCabinet>(
    handle,
    `select id, region_code as "regionCode", type_code as "typeCode",
            organization_oid as "organizationOid"
       from cabinets where kind = 'editorial' and status = 'active' order by id`,
  );
}

/** Offset of the fresh applicants' oids, above the generated ranges. */
const APPLICANT_OID_BASE = 6_000_000_000;
let nextApplicant = 1;

export interface Submitter extends SignedIn {
  body: string;
}

/**
 * New applicants, each signed in for a new organization that has no
 * application yet, with a valid work-cabinet form for an editorial cabinet
 * that fits it.
 */
export async function createSubmitters(
  handle: DatabaseHandle,
  cabinets: EditorialCabinet[],
  count: number,
): Promise<Submitter[]> {
  const first = nextApplicant;
  nextApplicant += count;
  const profiles: EsiaProfile[] = [];
  const bodies: string[] = [];
  for (let n = first; n < first + count; n += 1) {
    const oid = String(APPLICANT_OID_BASE + n);
    const name = `Школа № ${APPLICANT_OID_BASE + n}`;
    profiles.push(
      person(oid, [
        organization(oid, ogrnFromBody(104_770_000_000 + 7 * n), name, "work"),
      ]),
    );
    const cabinet = cabinets[(n * 7919) % cabinets.length]!;
    bodies.push(
      JSON.stringify({
        organizationOid: oid,
        kind: "work",
        name,
        region: cabinet.regionCode,
        type:
          cabinet.typeCode === "roiv" ? "roiv_subordinate" : "omsu_subordinate",
        editorialCabinetId: cabinet.id,
        spheres: ["education", "culture"],
        email: n % 10 === 0 ? `приемная${n}@школа.рф` : `school${n}@example.ru`,
        idempotencyKey: randomUUID(),
      }),
    );
  }
  const users = await insertSessions(handle, "applicant", profiles);
  return users.map((user, index) => ({ ...user, body: bodies[index]! }));
}

export function submitRequest(submitter: Submitter): LoadRequest {
  return {
    method: "POST",
    path: "/api/applications",
    headers: sessionHeaders(submitter, true),
    body: submitter.body,
  };
}

/** Returns the profile of a reviewer with access to generated editorial cabinet number `k`. */
export function reviewerProfile(k: number): EsiaProfile {
  const n = k;
  return person(String(IDS.personOidBase + n), [
    organization(
      String(IDS.organizationOidBase + n),
      ogrnFromBody(IDS.ogrnBodyBase + 7 * n),
      `Орган № ${n}`,
      "editorial",
    ),
  ]);
}

/** Returns the profile of the generated platform operator (PLATFORM_OPERATORS names the same oid). */
export function operatorProfile(): EsiaProfile {
  return person(IDS.operatorOid, []);
}

export interface PendingDecision {
  applicationId: string;
  revision: number;
  /** Number k of the editorial cabinet the application is addressed to. */
  cabinet: number;
}

/** Submitted applications of editorial cabinets 1..`cabinets`, oldest first. */
export async function loadPendingDecisions(
  handle: DatabaseHandle,
  cabinets: number,
): Promise<PendingDecision[]> {
  return queryAll<PendingDecision>(
    handle,
    `select a.id as "applicationId", a.revision,
            ('x' || right(a.editorial_cabinet_id::text, 12))::bit(48)::bigint::int as cabinet
       from applications a
      where a.state = 'submitted' and a.kind = 'work'
        and a.editorial_cabinet_id = any(
          select ('c0000000-0000-4000-8000-' || lpad(to_hex(k), 12, '0'))::uuid
            from generate_series(1, $1::int) as k)
      order by a.queued_at, a.id`,
    [cabinets],
  );
}
