import Fastify from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { EsiaSimulator } from "../../src/esia-simulator/index.js";
import { buildApp } from "../../src/server/app.js";
import { authRoutes } from "../../src/server/routes/auth.js";
import { sessionPlugin } from "../../src/server/session.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { startTestSimulator, testEsiaClient } from "./helpers.js";

const PUBLIC_URL = "http://127.0.0.1:9";
let database: TestDatabase;
let simulator: EsiaSimulator;
const app = Fastify();

beforeAll(async () => {
  database = await createTestDatabase();
  simulator = await startTestSimulator([`${PUBLIC_URL}/auth/esia/callback`]);
  await app.register(sessionPlugin, {
    db: database.handle.db,
    secureCookies: false,
    idleMinutes: 30,
    absoluteHours: 12,
  });
  await app.register(authRoutes, {
    esia: testEsiaClient(simulator, `${PUBLIC_URL}/auth/esia/callback`),
    publicUrl: PUBLIC_URL,
    upsertProfile: async () => {},
    signInRateLimitPerMinute: 3,
  });
});

afterAll(async () => {
  await app.close();
  await simulator?.close();
  await database?.drop();
});

it("limits sign-in attempts per client address", async () => {
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    statuses.push((await app.inject({ url: "/auth/esia/start" })).statusCode);
  }
  expect(statuses).toEqual([302, 302, 302, 429]);
  const limited = await app.inject({ url: "/auth/esia/start" });
  expect(limited.json()).toMatchObject({
    statusCode: 429,
    error: "rate_limited",
  });
  expect(limited.json().message).toMatch(/^Слишком много попыток входа\./);
  // The callback has its own budget.
  expect((await app.inject({ url: "/auth/esia/callback" })).statusCode).toBe(
    302,
  );
});

it("marks the state cookie Secure behind HTTPS", async () => {
  const secureApp = Fastify();
  await secureApp.register(sessionPlugin, {
    db: database.handle.db,
    secureCookies: true,
    idleMinutes: 30,
    absoluteHours: 12,
  });
  await secureApp.register(authRoutes, {
    esia: testEsiaClient(simulator, `${PUBLIC_URL}/auth/esia/callback`),
    publicUrl: "https://gp.example.ru",
    upsertProfile: async () => {},
  });
  const response = await secureApp.inject({ url: "/auth/esia/start" });
  expect(String(response.headers["set-cookie"])).toMatch(
    /gp_esia_state=.*; Secure/,
  );
  await secureApp.close();
});

/** Sends 31 sign-in starts from one TCP peer, each with another X-Forwarded-For. */
async function startsWithForwardedFor(trustProxy: string) {
  const product = await buildApp(
    {
      config: loadConfig({ LOG_LEVEL: "silent", TRUST_PROXY: trustProxy }),
      database: database.handle,
      esia: testEsiaClient(simulator, `${PUBLIC_URL}/auth/esia/callback`),
    },
    { logger: false },
  );
  const statuses: number[] = [];
  try {
    for (let attempt = 0; attempt < 31; attempt++) {
      const response = await product.inject({
        url: "/auth/esia/start",
        remoteAddress: "10.1.2.3",
        headers: { "x-forwarded-for": `198.51.100.${attempt}` },
      });
      statuses.push(response.statusCode);
    }
  } finally {
    await product.close();
  }
  return statuses;
}

it("ignores X-Forwarded-For from an untrusted peer", async () => {
  // The default trusts no proxy: the limit counts the TCP peer.
  const statuses = await startsWithForwardedFor("false");
  expect(statuses.slice(0, 30).every((status) => status === 302)).toBe(true);
  expect(statuses[30]).toBe(429);
});

it("reads X-Forwarded-For from a trusted proxy", async () => {
  const statuses = await startsWithForwardedFor("10.0.0.0/8");
  expect(statuses.every((status) => status === 302)).toBe(true);
});
