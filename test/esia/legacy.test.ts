import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatEsiaTimestamp } from "../../src/esia/protocol.js";
import type { EsiaSimulator } from "../../src/esia-simulator/index.js";
import {
  Browser,
  CLIENT_ID,
  fixturePath,
  location,
  passEsia,
  startTestSimulator,
} from "./helpers.js";

/**
 * The legacy /aas/oauth2/ac and /te take a detached CMS signature over
 * scope + timestamp + client_id + state. The signatures here come from the
 * openssl CLI, so the simulator's CMS reader is checked against an
 * independent producer.
 */

const REDIRECT = "http://127.0.0.1:9/auth/esia/callback";
const SCOPE = "openid fullname usr_org";
let simulator: EsiaSimulator;

beforeAll(async () => {
  simulator = await startTestSimulator([REDIRECT]);
});

afterAll(async () => {
  await simulator?.close();
});

function cmsSign(text: string, options: string[] = []): string {
  const der = execFileSync(
    "openssl",
    [
      "cms",
      "-sign",
      "-binary",
      "-outform",
      "DER",
      "-md",
      "sha256",
      "-signer",
      fixturePath("test-client-cert.pem"),
      "-inkey",
      fixturePath("test-client-key.pem"),
      ...options,
    ],
    { input: Buffer.from(text, "utf8") },
  );
  return der.toString("base64url");
}

function legacyParams(sign: (text: string) => string = cmsSign) {
  const state = randomUUID();
  const timestamp = formatEsiaTimestamp(new Date());
  return {
    client_id: CLIENT_ID,
    client_secret: sign(SCOPE + timestamp + CLIENT_ID + state),
    redirect_uri: REDIRECT,
    scope: SCOPE,
    response_type: "code",
    state,
    timestamp,
    access_type: "online",
  };
}

async function authorize(params: Record<string, string>) {
  const url = `${simulator.url}/aas/oauth2/ac?${new URLSearchParams(params)}`;
  return { url, response: await fetch(url, { redirect: "manual" }) };
}

describe("legacy /aas/oauth2/ac", () => {
  it.each([
    ["with signed attributes", []],
    ["without signed attributes or certificates", ["-noattr", "-nocerts"]],
  ])("accepts a detached CMS signature %s", async (_case, options) => {
    const { response } = await authorize(
      legacyParams((text) => cmsSign(text, options)),
    );
    expect(response.status).toBe(302);
    expect(new URL(location(response, simulator.url)).pathname).toBe("/login");
  });

  it("needs no certificate hash", async () => {
    const params = legacyParams();
    expect("client_certificate_hash" in params).toBe(false);
    const { response } = await authorize(params);
    expect(new URL(location(response, simulator.url)).pathname).toBe("/login");
  });

  it.each([
    ["a signature over another string", (text: string) => cmsSign(`${text}x`)],
    ["an attached signature", (text: string) => cmsSign(text, ["-nodetach"])],
    [
      "a raw signature",
      (text: string) => Buffer.from(text).toString("base64url"),
    ],
  ])("rejects %s", async (_case, sign) => {
    const { response } = await authorize(legacyParams(sign));
    const back = new URL(location(response, simulator.url));
    expect(back.searchParams.get("error_description")).toMatch(
      /^ESIA-007053: /,
    );
  });

  it("rejects the v2 string", async () => {
    const params = legacyParams();
    params.client_secret = cmsSign(
      CLIENT_ID +
        params.scope +
        params.timestamp +
        params.state +
        params.redirect_uri,
    );
    const { response } = await authorize(params);
    const back = new URL(location(response, simulator.url));
    expect(back.searchParams.get("error_description")).toMatch(
      /^ESIA-007053: /,
    );
  });
});

describe("legacy /aas/oauth2/te", () => {
  it("exchanges a code with a CMS signature", async () => {
    const params = legacyParams();
    const back = await passEsia(
      new Browser(),
      `${simulator.url}/aas/oauth2/ac?${new URLSearchParams(params)}`,
    );
    const code = new URL(back).searchParams.get("code")!;
    const state = randomUUID();
    const timestamp = formatEsiaTimestamp(new Date());
    const response = await fetch(`${simulator.url}/aas/oauth2/te`, {
      method: "POST",
      body: new URLSearchParams({
        client_id: CLIENT_ID,
        code,
        grant_type: "authorization_code",
        client_secret: cmsSign(SCOPE + timestamp + CLIENT_ID + state),
        state,
        redirect_uri: REDIRECT,
        scope: SCOPE,
        timestamp,
        token_type: "Bearer",
      }),
    });
    expect(response.status).toBe(200);
    const json = await response.json();
    expect(json.state).toBe(state);
    expect(decodeJwt(json.access_token)["urn:esia:sbj_id"]).toBe(1000000002);
  });
});
