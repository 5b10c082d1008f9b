import { createHash, generateKeyPairSync, randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { queryRows } from "../../src/db/client.js";
import { sessions } from "../../src/db/schema.js";
import type { EsiaClient } from "../../src/esia/client.js";
import { createPemSigner } from "../../src/esia/signer.js";
import type { EsiaSimulator } from "../../src/esia-simulator/index.js";
import { buildApp, type App } from "../../src/server/app.js";
import { SESSION_COOKIE } from "../../src/server/session.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import {
  Browser,
  freePort,
  location,
  passEsia,
  startTestSimulator,
  testClock,
  testEsiaClient,
} from "./helpers.js";

let database: TestDatabase;
let simulator: EsiaSimulator;
let esia: EsiaClient;
let app: App;
let publicUrl: string;
let productHost: string;
const clock = testClock();

beforeAll(async () => {
  database = await createTestDatabase();
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  productHost = `127.0.0.1:${port}`;
  const redirectUri = `${publicUrl}/auth/esia/callback`;
  simulator = await startTestSimulator([redirectUri], { now: clock.now });
  esia = testEsiaClient(simulator, redirectUri);
  const config = loadConfig({ PORT: String(port), PUBLIC_URL: publicUrl });
  app = await buildApp(
    { config, database: database.handle, esia },
    { logger: false },
  );
  await app.listen({ port, host: "127.0.0.1" });
});

afterAll(async () => {
  await app?.close();
  await simulator?.close();
  await database?.drop();
});

/** Starts the sign-in at the product and returns ESIA's redirect back to it. */
async function startAndPass(
  browser: Browser,
  input: Parameters<typeof passEsia>[2] = {},
): Promise<string> {
  const start = await browser.get(`${publicUrl}/auth/esia/start`);
  expect(start.status).toBe(302);
  return passEsia(browser, location(start), input);
}

async function signIn(browser: Browser, login: string): Promise<Response> {
  const callback = await startAndPass(browser, { login });
  return browser.get(callback);
}

async function session(browser: Browser) {
  return browser.get(`${publicUrl}/api/session`);
}

describe("sign-in through ESIA", () => {
  it("signs in and shows organizations with roles and groups", async () => {
    const browser = new Browser();
    const callback = await signIn(browser, "a.petrov@cgu.spb.example");
    expect(callback.status).toBe(303);
    expect(callback.headers.get("location")).toBe("/organizations");

    const setCookie = callback.headers
      .getSetCookie()
      .find((line) => line.startsWith(`${SESSION_COOKIE}=`));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);

    const response = await session(browser);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.person).toMatchObject({
      oid: "1000000002",
      lastName: "Петров",
      firstName: "Алексей",
      middleName: "Викторович",
      email: "a.petrov@cgu.spb.example",
      mobile: "+7(900)0000002",
    });
    expect(body.organizations).toEqual([
      expect.objectContaining({
        oid: "1000000103",
        ogrn: "1027800001030",
        type: "LEGAL",
        chief: false,
        admin: true,
        active: true,
        isLiquidated: false,
        groups: [
          { grpId: "POS_GP_WORK", name: "ПОС. Госпаблики. Кабинет учреждения" },
        ],
      }),
    ]);
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("stores the person, organizations and a hashed session id", async () => {
    const browser = new Browser();
    await signIn(browser, "m.ivanova@kip.spb.example");
    const token = browser.cookie(productHost, SESSION_COOKIE)!;
    const db = database.handle.db;
    const hashed = createHash("sha256").update(token).digest("hex");
    expect(
      await db.select().from(sessions).where(eq(sessions.id, hashed)),
    ).toHaveLength(1);
    expect(
      await db.select().from(sessions).where(eq(sessions.id, token)),
    ).toHaveLength(0);
    const [person] = await queryRows<{ last_name: string }>(
      db,
      sql`select last_name from persons where oid = '1000000001'`,
    );
    expect(person?.last_name).toBe("Иванова");
    const [org] = await queryRows<{ short_name: string }>(
      db,
      sql`select short_name from organizations where oid = '1000000101'`,
    );
    expect(org?.short_name).toBe("КИП СПб");
  });

  it("reports «Отказать» as access_denied", async () => {
    const browser = new Browser();
    const callback = await startAndPass(browser, { decision: "deny" });
    expect(new URL(callback).searchParams.get("error")).toBe("access_denied");
    const response = await browser.get(callback);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(
      "/signin?app_name=ku&error=access_denied",
    );
    expect(browser.cookie(productHost, SESSION_COOKIE)).toBeUndefined();
  });

  it("rejects a changed state", async () => {
    const browser = new Browser();
    const callback = new URL(await startAndPass(browser));
    callback.searchParams.set("state", randomUUID());
    const response = await browser.get(callback.toString());
    expect(response.headers.get("location")).toBe(
      "/signin?app_name=ku&error=state_mismatch",
    );
    expect(browser.cookie(productHost, SESSION_COOKIE)).toBeUndefined();
  });

  it("rejects a callback without the state cookie", async () => {
    const browser = new Browser();
    const callback = await startAndPass(browser);
    const other = new Browser();
    const response = await other.get(callback);
    expect(response.headers.get("location")).toBe(
      "/signin?app_name=ku&error=state_mismatch",
    );
  });

  it("rejects a replayed code", async () => {
    const browser = new Browser();
    const callback = await startAndPass(browser);
    const state = browser.cookie(productHost, "gp_esia_state")!;
    expect((await browser.get(callback)).headers.get("location")).toBe(
      "/organizations",
    );

    const attacker = new Browser();
    attacker.setCookie(productHost, "gp_esia_state", state);
    const replay = await attacker.get(callback);
    expect(replay.headers.get("location")).toBe(
      "/signin?app_name=ku&error=token_request_failed",
    );
    expect(attacker.cookie(productHost, SESSION_COOKIE)).toBeUndefined();
  });

  it("rejects an expired code", async () => {
    const browser = new Browser();
    const callback = await startAndPass(browser);
    clock.advance(121);
    let response: Response;
    try {
      response = await browser.get(callback);
    } finally {
      // Tokens issued from a clock ahead of the product's would fail its nbf check.
      clock.advance(-121);
    }
    expect(response.headers.get("location")).toBe(
      "/signin?app_name=ku&error=token_request_failed",
    );
  });

  it("rejects a forged code", async () => {
    const browser = new Browser();
    const callback = new URL(await startAndPass(browser));
    const [header, payload] = callback.searchParams.get("code")!.split(".");
    callback.searchParams.set(
      "code",
      `${header}.${payload}.${"A".repeat(342)}`,
    );
    const response = await browser.get(callback.toString());
    expect(response.headers.get("location")).toBe(
      "/signin?app_name=ku&error=token_request_failed",
    );
  });

  it("reports a request ESIA rejects as authorization_failed", async () => {
    // A product whose key is not the registered one: ESIA-007053 comes back.
    const wrongKey = generateKeyPairSync("rsa", {
      modulusLength: 2048,
    }).privateKey;
    const wrongClient = testEsiaClient(
      simulator,
      `${publicUrl}/auth/esia/callback`,
      {
        signer: createPemSigner(wrongKey),
      },
    );
    const url = await wrongClient.buildAuthorizationUrl({
      state: randomUUID(),
    });
    const browser = new Browser();
    const redirect = await browser.get(url);
    const callback = new URL(location(redirect));
    expect(callback.searchParams.get("error_description")).toMatch(
      /^ESIA-007053: /,
    );
    // The state cookie would be set by /auth/esia/start; the error wins either way.
    const response = await browser.get(callback.toString());
    expect(response.headers.get("location")).toBe(
      "/signin?app_name=ku&error=authorization_failed",
    );
  });

  it("skips the login form while the ESIA session lasts", async () => {
    const browser = new Browser();
    await signIn(browser, "o.smirnova@dc-test.spb.example");
    const start = await browser.get(`${publicUrl}/auth/esia/start`);
    const authorize = await browser.get(location(start));
    const login = await browser.get(location(authorize));
    expect(login.status).toBe(302);
    expect(new URL(location(login)).pathname).toBe("/consent");
  });

  it("gives a new session id at every sign-in", async () => {
    const browser = new Browser();
    await signIn(browser, "d.kuznetsov@mo-test.spb.example");
    const first = browser.cookie(productHost, SESSION_COOKIE)!;
    await signIn(browser, "d.kuznetsov@mo-test.spb.example");
    const second = browser.cookie(productHost, SESSION_COOKIE)!;
    expect(second).not.toBe(first);
    const db = database.handle.db;
    const oldId = createHash("sha256").update(first).digest("hex");
    expect(
      await db.select().from(sessions).where(eq(sessions.id, oldId)),
    ).toHaveLength(0);
  });
});

describe("return after sign-in", () => {
  async function signInFrom(returnPath: string): Promise<Response> {
    const browser = new Browser();
    const start = await browser.get(
      `${publicUrl}/auth/esia/start?return=${encodeURIComponent(returnPath)}`,
    );
    expect(start.status).toBe(302);
    const callback = await passEsia(browser, location(start), {
      login: "a.petrov@cgu.spb.example",
    });
    return browser.get(callback);
  }

  it("opens the page the sign-in started from", async () => {
    const callback = await signInFrom("/review/4f6b2c1e?tab=history");
    expect(callback.status).toBe(303);
    expect(callback.headers.get("location")).toBe(
      "/review/4f6b2c1e?tab=history",
    );
  });

  it.each([
    ["another host", "https://evil.example/steal"],
    ["a protocol-relative address", "//evil.example/steal"],
    ["a backslash", "/\\evil.example"],
    ["a tab", "/\t/evil.example"],
    ["an API path", "/api/session"],
    ["the sign-in page", "/signin?app_name=ku"],
  ])("ignores %s", async (_case, returnPath) => {
    const callback = await signInFrom(returnPath);
    expect(callback.status).toBe(303);
    expect(callback.headers.get("location")).toBe("/organizations");
  });
});

describe("session", () => {
  it("answers 401 without a session", async () => {
    const response = await session(new Browser());
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body).toMatchObject({ statusCode: 401, error: "unauthorized" });
  });

  it("ends after the idle timeout", async () => {
    const browser = new Browser();
    await signIn(browser, "e.morozova@kultura.spb.example");
    const id = createHash("sha256")
      .update(browser.cookie(productHost, SESSION_COOKIE)!)
      .digest("hex");
    const db = database.handle.db;
    await db
      .update(sessions)
      .set({ lastSeenAt: new Date(Date.now() - 31 * 60_000) })
      .where(eq(sessions.id, id));
    expect((await session(browser)).status).toBe(401);
    expect(
      await db.select().from(sessions).where(eq(sessions.id, id)),
    ).toHaveLength(0);
  });

  it("ends at the absolute expiry", async () => {
    const browser = new Browser();
    await signIn(browser, "s.volkov@kip.spb.example");
    const id = createHash("sha256")
      .update(browser.cookie(productHost, SESSION_COOKIE)!)
      .digest("hex");
    await database.handle.db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.id, id));
    expect((await session(browser)).status).toBe(401);
  });
});

describe("sign-out", () => {
  it("requires the CSRF token", async () => {
    const browser = new Browser();
    await signIn(browser, "a.petrov@cgu.spb.example");
    const response = await browser.post(`${publicUrl}/auth/signout`, {});
    expect(response.status).toBe(403);
    expect((await response.json()).error).toBe("csrf_failed");
    expect((await session(browser)).status).toBe(200);
  });

  it("ends the session and the ESIA session", async () => {
    const browser = new Browser();
    await signIn(browser, "a.petrov@cgu.spb.example");
    const { csrfToken } = await (await session(browser)).json();
    const signout = await browser.post(`${publicUrl}/auth/signout`, {
      _csrf: csrfToken,
    });
    expect(signout.status).toBe(303);
    const logout = new URL(location(signout));
    expect(logout.origin).toBe(simulator.url);
    expect(logout.pathname).toBe("/idp/ext/Logout");
    expect(logout.searchParams.get("client_id")).toBe("MNSV36");
    expect(logout.searchParams.get("redirect_url")).toBe(
      `${publicUrl}/signin?app_name=ku`,
    );
    expect((await session(browser)).status).toBe(401);

    const back = await browser.get(logout.toString());
    expect(back.headers.get("location")).toBe(
      `${publicUrl}/signin?app_name=ku`,
    );
    // Without the ESIA session the login form is shown again.
    const start = await browser.get(`${publicUrl}/auth/esia/start`);
    const authorize = await browser.get(location(start));
    const login = await browser.get(location(authorize));
    expect(login.status).toBe(200);
    expect(await login.text()).toContain("Телефон / Email / СНИЛС");
  });

  it("accepts the token in the x-csrf-token header and answers JSON", async () => {
    const browser = new Browser();
    await signIn(browser, "a.petrov@cgu.spb.example");
    const { csrfToken } = await (await session(browser)).json();
    const response = await browser.request(`${publicUrl}/auth/signout`, {
      method: "POST",
      headers: { "x-csrf-token": csrfToken, accept: "application/json" },
    });
    expect(response.status).toBe(200);
    expect((await response.json()).redirectTo).toMatch(/\/idp\/ext\/Logout\?/);
  });
});
