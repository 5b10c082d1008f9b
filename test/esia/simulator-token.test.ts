import { randomUUID } from "node:crypto";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatEsiaTimestamp } from "../../src/esia/protocol.js";
import type { EsiaSimulator } from "../../src/esia-simulator/index.js";
import {
  authorizeQuery,
  Browser,
  CLIENT_ID,
  passEsia,
  signRaw,
  startTestSimulator,
  testCertificateHash,
  testClock,
} from "./helpers.js";

const REDIRECT = "http://127.0.0.1:9/auth/esia/callback";
const SCOPE = "openid fullname email mobile usr_org";
const clock = testClock();
let simulator: EsiaSimulator;

beforeAll(async () => {
  simulator = await startTestSimulator([REDIRECT], { now: clock.now });
});

afterAll(async () => {
  await simulator?.close();
});

async function obtainCode(
  input: { login?: string; scope?: string; accessType?: string } = {},
): Promise<string> {
  const query = authorizeQuery(REDIRECT, {
    before: {
      scope: input.scope ?? SCOPE,
      access_type: input.accessType ?? "online",
    },
    now: clock.now(),
  });
  const back = await passEsia(
    new Browser(),
    `${simulator.url}/aas/oauth2/v2/ac?${query}`,
    {
      login: input.login,
    },
  );
  const code = new URL(back).searchParams.get("code");
  if (!code) throw new Error(`no code in ${back}`);
  return code;
}

type Form = Record<string, string | undefined>;

/** Builds a signed v3/te form; `after` changes fields once the signature is made. */
function tokenForm(
  grant: Form & { grant_type: string },
  change: { before?: Form; after?: Form } = {},
): Form {
  const form: Form = {
    client_id: CLIENT_ID,
    scope: SCOPE,
    state: randomUUID(),
    timestamp: formatEsiaTimestamp(new Date(clock.now())),
    redirect_uri: REDIRECT,
    client_certificate_hash: testCertificateHash,
    token_type: "Bearer",
    ...grant,
    ...change.before,
  };
  form.client_secret = signRaw(
    form.client_id! +
      form.scope +
      form.timestamp +
      form.state +
      form.redirect_uri +
      (form.grant_type === "authorization_code" ? form.code : ""),
  );
  return { ...form, ...change.after };
}

async function postToken(form: Form, path = "/aas/oauth2/v3/te") {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    if (value !== undefined) body.append(key, value);
  }
  const response = await fetch(`${simulator.url}${path}`, {
    method: "POST",
    body,
  });
  return { status: response.status, json: await response.json() };
}

describe("authorization_code grant", () => {
  it("returns ESIA's token response", async () => {
    const code = await obtainCode();
    const form = tokenForm({ grant_type: "authorization_code", code });
    const { status, json } = await postToken(form);
    expect(status).toBe(200);
    expect(json).toMatchObject({
      state: form.state,
      token_type: "Bearer",
      expires_in: 3600,
    });
    expect(json.refresh_token).toBeUndefined();

    expect(decodeProtectedHeader(json.access_token)).toEqual({
      ver: 1,
      typ: "JWT",
      sbt: "access",
      alg: "RS256",
    });
    const access = decodeJwt(json.access_token);
    expect(access.iss).toBe(simulator.issuer);
    expect(access.client_id).toBe(CLIENT_ID);
    expect(access["urn:esia:sbj_id"]).toBe(1000000002);
    expect(access.scope).toBe(
      "openid fullname?oid=1000000002 email?oid=1000000002 mobile?oid=1000000002 usr_org?oid=1000000002",
    );
    expect(access.exp! - access.iat!).toBe(3600);

    expect(decodeProtectedHeader(json.id_token).sbt).toBe("id");
    const id = decodeJwt(json.id_token);
    expect(id.aud).toBe(CLIENT_ID);
    expect(id.sub).toBe(1000000002);
    expect(id.amr).toBe("PWD");
    expect(id["urn:esia:sbj"]).toMatchObject({
      "urn:esia:sbj:typ": "P",
      "urn:esia:sbj:oid": 1000000002,
      "urn:esia:sbj:is_tru": true,
    });
  });

  it("rejects a replayed code and revokes its tokens", async () => {
    const code = await obtainCode();
    const first = await postToken(
      tokenForm({ grant_type: "authorization_code", code }),
    );
    expect(first.status).toBe(200);
    const before = await fetch(`${simulator.url}/rs/prns/1000000002`, {
      headers: { authorization: `Bearer ${first.json.access_token}` },
    });
    expect(before.status).toBe(200);

    const second = await postToken(
      tokenForm({ grant_type: "authorization_code", code }),
    );
    expect(second.status).toBe(400);
    expect(second.json.error).toBe("invalid_grant");
    expect(second.json.error_description).toMatch(
      /^ESIA-007011: .*already been used/,
    );

    const after = await fetch(`${simulator.url}/rs/prns/1000000002`, {
      headers: { authorization: `Bearer ${first.json.access_token}` },
    });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({
      code: "ESIA-005011",
      message: "SecurityErrorEnum.invalidToken",
    });
  });

  it("rejects an expired code", async () => {
    const code = await obtainCode();
    clock.advance(121);
    const { status, json } = await postToken(
      tokenForm({ grant_type: "authorization_code", code }),
    );
    expect(status).toBe(400);
    expect(json.error_description).toMatch(/^ESIA-007011: .*expired/);
  });

  it("rejects a forged code", async () => {
    const code = await obtainCode();
    const [header, payload] = code.split(".");
    const forged = `${header}.${payload}.${Buffer.alloc(256, 1).toString("base64url")}`;
    const { json } = await postToken(
      tokenForm({ grant_type: "authorization_code", code: forged }),
    );
    expect(json.error_description).toMatch(
      /^ESIA-007011: .*not issued by ESIA/,
    );
  });

  it("rejects another redirect URI", async () => {
    const code = await obtainCode();
    const form = tokenForm(
      { grant_type: "authorization_code", code },
      { before: { redirect_uri: "http://127.0.0.1:9/other" } },
    );
    expect((await postToken(form)).json.error_description).toMatch(
      /^ESIA-007011: .*redirect_uri/,
    );
  });

  it("rejects a scope that was not granted", async () => {
    const code = await obtainCode({ scope: "openid fullname" });
    const form = tokenForm({ grant_type: "authorization_code", code });
    expect((await postToken(form)).json.error_description).toMatch(
      /^ESIA-007006: /,
    );
  });

  it.each([
    [
      "a bad signature",
      { after: { client_secret: signRaw("x") } },
      /^ESIA-007053: /,
    ],
    [
      "a wrong hash",
      { after: { client_certificate_hash: "0".repeat(64) } },
      /^ESIA-007002: /,
    ],
    [
      "a 40-hex hash",
      { after: { client_certificate_hash: "0".repeat(40) } },
      /^ESIA-007003: /,
    ],
    [
      "a bad timestamp",
      { before: { timestamp: "02.09.2025 13:00:29" } },
      /^ESIA-007003: /,
    ],
    [
      "a state that is not a UUID",
      { before: { state: "state-1" } },
      /^ESIA-007003: /,
    ],
    [
      "no certificate hash",
      { after: { client_certificate_hash: undefined } },
      /^ESIA-007014: /,
    ],
  ])("rejects %s", async (_case, change, expected) => {
    const code = await obtainCode();
    const { status, json } = await postToken(
      tokenForm({ grant_type: "authorization_code", code }, change),
    );
    expect(status).toBe(400);
    expect(json.error_description).toMatch(expected);
  });

  it("rejects a timestamp too far off", async () => {
    const code = await obtainCode();
    const old = formatEsiaTimestamp(new Date(clock.now() - 301_000));
    const { json } = await postToken(
      tokenForm(
        { grant_type: "authorization_code", code },
        { before: { timestamp: old } },
      ),
    );
    expect(json.error_description).toMatch(/^ESIA-007015: /);
  });

  it("rejects an unknown client", async () => {
    const { status, json } = await postToken(
      tokenForm(
        { grant_type: "authorization_code", code: "x" },
        { before: { client_id: "NOPE" } },
      ),
    );
    expect(status).toBe(400);
    expect(json.error).toBe("invalid_client");
    expect(json.error_description).toMatch(/^ESIA-008010: /);
  });

  it("echoes the state in errors", async () => {
    const form = tokenForm({ grant_type: "authorization_code", code: "x" });
    const { json } = await postToken(form);
    expect(json.state).toBe(form.state);
  });
});

describe("refresh_token grant", () => {
  it("issues a refresh token for offline access and rotates it", async () => {
    const code = await obtainCode({ accessType: "offline" });
    const first = await postToken(
      tokenForm({ grant_type: "authorization_code", code }),
    );
    expect(first.json.refresh_token).toMatch(/^[0-9a-f-]{36}$/);
    const refreshed = await postToken(
      tokenForm({
        grant_type: "refresh_token",
        refresh_token: first.json.refresh_token,
      }),
    );
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.json.access_token)["urn:esia:sbj_id"]).toBe(
      1000000002,
    );
    const reused = await postToken(
      tokenForm({
        grant_type: "refresh_token",
        refresh_token: first.json.refresh_token,
      }),
    );
    expect(reused.json.error_description).toMatch(/^ESIA-007011: /);
  });
});

describe("client_credentials grant", () => {
  const orgScope = (oid: string) =>
    `http://esia.gosuslugi.ru/org_emps?org_oid=${oid}`;

  it("grants an organization scope of a person who signed in", async () => {
    await obtainCode({ login: "o.smirnova@dc-test.spb.example" });
    const { status, json } = await postToken(
      tokenForm(
        { grant_type: "client_credentials" },
        { before: { scope: orgScope("1000000104") } },
      ),
    );
    expect(status).toBe(200);
    const access = decodeJwt(json.access_token);
    expect(access.scope).toBe(orgScope("1000000104"));
    expect(access["urn:esia:sbj_id"]).toBeUndefined();
  });

  it("refuses an organization no signed-in person works for", async () => {
    const { json } = await postToken(
      tokenForm(
        { grant_type: "client_credentials" },
        { before: { scope: orgScope("1000000107") } },
      ),
    );
    expect(json.error_description).toMatch(/^ESIA-007194: /);
  });

  it("refuses person scopes", async () => {
    const { json } = await postToken(
      tokenForm({ grant_type: "client_credentials" }),
    );
    expect(json.error_description).toMatch(/^ESIA-007006: /);
  });
});

it("rejects an unsupported grant type", async () => {
  const { json } = await postToken(tokenForm({ grant_type: "password" }));
  expect(json.error).toBe("unsupported_grant_type");
  expect(json.error_description).toMatch(/^ESIA-007009: /);
});
