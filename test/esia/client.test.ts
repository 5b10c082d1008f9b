import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EsiaClient } from "../../src/esia/client.js";
import { EsiaError } from "../../src/esia/errors.js";
import { formatEsiaTimestamp } from "../../src/esia/protocol.js";
import { createCommandSigner } from "../../src/esia/signer.js";
import type { EsiaSimulator } from "../../src/esia-simulator/index.js";
import {
  Browser,
  fixturePath,
  freePort,
  passEsia,
  startTestSimulator,
  testClock,
  testEsiaClient,
} from "./helpers.js";

const REDIRECT = "http://127.0.0.1:9/auth/esia/callback";
const clock = testClock();
let simulator: EsiaSimulator;

/** Rewrites a response of the simulator; returns the new body, or undefined to pass it on. */
type Rewrite = (path: string, body: string) => string | undefined;
let rewrite: Rewrite = () => undefined;
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  simulator = await startTestSimulator([REDIRECT], { now: clock.now });
  // A proxy in front of the simulator, to feed the client malformed responses.
  proxy = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${simulator.url}${request.url}`, {
      method: request.method,
      headers: request.headers as Record<string, string>,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
      redirect: "manual",
    });
    const text = await upstream.text();
    const changed = rewrite(request.url!.split("?")[0]!, text);
    response.writeHead(upstream.status, {
      "content-type": upstream.headers.get("content-type") ?? "text/plain",
    });
    response.end(changed ?? text);
  });
  const port = await freePort();
  await new Promise<void>((resolve) =>
    proxy.listen(port, "127.0.0.1", resolve),
  );
  proxyUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await simulator?.close();
});

async function obtainCode(
  client: EsiaClient,
  login = "m.ivanova@kip.spb.example",
): Promise<string> {
  const url = await client.buildAuthorizationUrl({ state: randomUUID() });
  const back = await passEsia(
    new Browser(),
    url.replace(proxyUrl, simulator.url),
    { login },
  );
  const code = new URL(back).searchParams.get("code");
  if (!code) throw new Error(`no code: ${back}`);
  return code;
}

async function failure(promise: Promise<unknown>): Promise<EsiaError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EsiaError) return error;
    throw error;
  }
  throw new Error("expected an EsiaError");
}

/** Creates a client that talks to the simulator through the rewriting proxy. */
function proxiedClient(overrides = {}) {
  return testEsiaClient(simulator, REDIRECT, {
    baseUrl: proxyUrl,
    issuer: simulator.issuer,
    ...overrides,
  });
}

describe("ESIA client", () => {
  it("builds the v2/ac URL with ESIA's parameters", async () => {
    const client = testEsiaClient(simulator, REDIRECT);
    const state = randomUUID();
    const url = new URL(await client.buildAuthorizationUrl({ state }));
    expect(url.pathname).toBe("/aas/oauth2/v2/ac");
    expect(url.searchParams.get("scope")).toBe(
      "openid fullname email mobile usr_org",
    );
    expect(url.searchParams.get("state")).toBe(state);
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("timestamp")).toMatch(
      /^\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}:\d{2} \+0000$/,
    );
    expect(url.search).toContain("%2B0000");
    expect(url.searchParams.get("client_secret")).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("reads the whole profile with groups per organization", async () => {
    const client = testEsiaClient(simulator, REDIRECT);
    const tokens = await client.exchangeCode(
      await obtainCode(client, "d.kuznetsov@mo-test.spb.example"),
    );
    expect(tokens.personOid).toBe("1000000004");
    const profile = await client.fetchProfile(
      tokens.accessToken,
      tokens.personOid,
    );
    expect(profile).toEqual({
      oid: "1000000004",
      lastName: "Кузнецов",
      firstName: "Дмитрий",
      middleName: "Андреевич",
      email: "d.kuznetsov@mo-test.spb.example",
      mobile: "+7(900)0000004",
      organizations: [
        {
          oid: "1000000102",
          ogrn: "1027800001020",
          fullName:
            "Местная администрация муниципального образования Тестовый округ",
          shortName: "МА МО Тестовый",
          type: "AGENCY",
          chief: false,
          admin: true,
          active: true,
          isLiquidated: false,
          groups: [
            {
              grpId: "POS_GP_EDITORIAL",
              name: "ПОС. Госпаблики. Кабинет редакции",
            },
            {
              grpId: "POS_GP_WORK",
              name: "ПОС. Госпаблики. Кабинет учреждения",
            },
          ],
        },
      ],
    });
  });

  it("reads a person without organizations", async () => {
    const client = testEsiaClient(simulator, REDIRECT);
    const tokens = await client.exchangeCode(
      await obtainCode(client, "n.egorova@mail.example"),
    );
    const profile = await client.fetchProfile(
      tokens.accessToken,
      tokens.personOid,
    );
    expect(profile.organizations).toEqual([]);
  });

  it("verifies tokens with any of several keys", async () => {
    const retired = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .publicKey.export({ type: "spki", format: "pem" })
      .toString();
    const client = testEsiaClient(simulator, REDIRECT, {
      verificationKeys: [retired, simulator.tokenVerificationKeyPem],
    });
    const tokens = await client.exchangeCode(await obtainCode(client));
    expect(tokens.personOid).toBe("1000000001");
  });

  it("rejects a token signed by an unknown key", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .publicKey.export({ type: "spki", format: "pem" })
      .toString();
    const client = testEsiaClient(simulator, REDIRECT, {
      verificationKeys: [other],
    });
    const error = await failure(client.exchangeCode(await obtainCode(client)));
    expect(error.code).toBe("invalid_token");
    expect(error.userMessage).toContain("Не удалось проверить ответ Госуслуг");
  });

  it("rejects a token of another issuer", async () => {
    const client = testEsiaClient(simulator, REDIRECT, {
      issuer: "http://esia.gosuslugi.ru/",
    });
    const error = await failure(client.exchangeCode(await obtainCode(client)));
    expect(error.code).toBe("invalid_token");
    expect(error.message).toMatch(/iss/);
  });

  it("rejects a changed state in the token response", async () => {
    rewrite = (path, body) =>
      path === "/aas/oauth2/v3/te"
        ? body.replace(/"state":"[^"]+"/, `"state":"${randomUUID()}"`)
        : undefined;
    try {
      const client = proxiedClient();
      const error = await failure(
        client.exchangeCode(await obtainCode(client)),
      );
      expect(error.code).toBe("state_mismatch");
    } finally {
      rewrite = () => undefined;
    }
  });

  it("turns a rejected code into token_request_failed", async () => {
    const client = testEsiaClient(simulator, REDIRECT);
    const code = await obtainCode(client);
    await client.exchangeCode(code);
    const error = await failure(client.exchangeCode(code));
    expect(error.code).toBe("token_request_failed");
    expect(error.esiaCode).toBe("ESIA-007011");
  });

  it("reports malformed roles", async () => {
    rewrite = (path, body) =>
      path.endsWith("/roles")
        ? body.replaceAll('"active":', '"activ":')
        : undefined;
    try {
      const client = proxiedClient();
      const tokens = await client.exchangeCode(await obtainCode(client));
      const error = await failure(
        client.fetchProfile(tokens.accessToken, tokens.personOid),
      );
      expect(error.code).toBe("malformed_response");
      expect(error.message).toMatch(/roles.*elements\.0\.active/);
    } finally {
      rewrite = () => undefined;
    }
  });

  it("reports a body that is not JSON", async () => {
    rewrite = (path) =>
      path === "/rs/prns/1000000001"
        ? "<html>Service Unavailable</html>"
        : undefined;
    try {
      const client = proxiedClient();
      const tokens = await client.exchangeCode(await obtainCode(client));
      const error = await failure(
        client.fetchProfile(tokens.accessToken, tokens.personOid),
      );
      expect(error.code).toBe("malformed_response");
    } finally {
      rewrite = () => undefined;
    }
  });

  it("reports an unreachable ESIA", async () => {
    const client = testEsiaClient(simulator, REDIRECT, {
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      issuer: simulator.issuer,
    });
    const error = await failure(client.exchangeCode("code"));
    expect(error.code).toBe("unavailable");
    expect(error.userMessage).toBe(
      "Госуслуги сейчас не отвечают. Попробуйте войти через несколько минут.",
    );
  });

  it("reports an expired token on a REST call", async () => {
    const client = testEsiaClient(simulator, REDIRECT);
    const tokens = await client.exchangeCode(await obtainCode(client));
    clock.advance(3601);
    try {
      const error = await failure(
        client.fetchProfile(tokens.accessToken, tokens.personOid),
      );
      expect(error.code).toBe("token_expired");
      expect(error.esiaCode).toBe("ESIA-005013");
    } finally {
      clock.advance(-3601);
    }
  });

  it("reports a REST call refused for a missing scope", async () => {
    const client = testEsiaClient(simulator, REDIRECT, {
      scope: "openid fullname",
    });
    const tokens = await client.exchangeCode(await obtainCode(client));
    const error = await failure(
      client.fetchProfile(tokens.accessToken, tokens.personOid),
    );
    expect(error.code).toBe("rest_request_failed");
    expect(error.esiaCode).toBe("ESIA-005029");
    expect(error.details.status).toBe(403);
  });

  it("builds the logout URL with redirect_url", () => {
    const client = testEsiaClient(simulator, REDIRECT);
    const url = new URL(client.buildLogoutUrl("http://127.0.0.1:9/signin"));
    expect(url.pathname).toBe("/idp/ext/Logout");
    expect(url.searchParams.get("client_id")).toBe("MNSV36");
    expect(url.searchParams.get("redirect_url")).toBe(
      "http://127.0.0.1:9/signin",
    );
  });
});

describe("command signer", () => {
  const script = fixturePath("sign-with-test-key.mjs");

  it("signs through an external command", async () => {
    const client = testEsiaClient(simulator, REDIRECT, {
      signer: createCommandSigner({
        command: process.execPath,
        args: [script],
      }),
    });
    const tokens = await client.exchangeCode(await obtainCode(client));
    expect(tokens.personOid).toBe("1000000001");
  });

  it("reports a failing command", async () => {
    const signer = createCommandSigner({
      command: process.execPath,
      args: [script, "--fail"],
    });
    const error = await failure(signer.sign(Buffer.from("data")));
    expect(error.code).toBe("signer_failed");
    expect(error.message).toMatch(/exited with 3: key store locked/);
  });

  it("reports a missing command", async () => {
    const signer = createCommandSigner({ command: "/nonexistent/signer" });
    const error = await failure(signer.sign(Buffer.from("data")));
    expect(error.code).toBe("signer_failed");
    expect(error.message).toMatch(/could not start/);
  });

  it("reverses the bytes when asked", async () => {
    const plain = createCommandSigner({
      command: process.execPath,
      args: [script],
    });
    const reversed = createCommandSigner({
      command: process.execPath,
      args: [script],
      reverseBytes: true,
    });
    const data = Buffer.from("data");
    expect(await reversed.sign(data)).toEqual(
      Buffer.from(await plain.sign(data)).reverse(),
    );
  });
});

describe("timestamp", () => {
  it("uses ESIA's format in UTC", () => {
    expect(formatEsiaTimestamp(new Date(Date.UTC(2025, 8, 2, 10, 0, 29)))).toBe(
      "2025.09.02 10:00:29 +0000",
    );
  });
});
