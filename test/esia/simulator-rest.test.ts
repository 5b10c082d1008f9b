import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EsiaClient } from "../../src/esia/client.js";
import type { EsiaSimulator } from "../../src/esia-simulator/index.js";
import {
  Browser,
  passEsia,
  startTestSimulator,
  testClock,
  testEsiaClient,
} from "./helpers.js";

const REDIRECT = "http://127.0.0.1:9/auth/esia/callback";
const clock = testClock();
let simulator: EsiaSimulator;

beforeAll(async () => {
  simulator = await startTestSimulator([REDIRECT], { now: clock.now });
});

afterAll(async () => {
  await simulator?.close();
});

async function accessToken(
  login: string,
  client?: EsiaClient,
): Promise<string> {
  const esia = client ?? testEsiaClient(simulator, REDIRECT);
  const url = await esia.buildAuthorizationUrl({ state: randomUUID() });
  const back = await passEsia(new Browser(), url, { login });
  const tokens = await esia.exchangeCode(
    new URL(back).searchParams.get("code")!,
  );
  return tokens.accessToken;
}

async function get(path: string, token?: string) {
  const response = await fetch(`${simulator.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, json: await response.json() };
}

describe("REST API", () => {
  it("returns the person", async () => {
    const token = await accessToken("m.ivanova@kip.spb.example");
    const { status, json } = await get("/rs/prns/1000000001", token);
    expect(status).toBe(200);
    expect(json).toMatchObject({
      stateFacts: ["EntityRoot"],
      firstName: "Мария",
      lastName: "Иванова",
      middleName: "Сергеевна",
      trusted: true,
    });
    expect(json.eTag).toMatch(/^[0-9A-F]{40}$/);
    expect(json.snils).toBeUndefined();
  });

  it("returns contact links, or objects with embed", async () => {
    const token = await accessToken("m.ivanova@kip.spb.example");
    const links = await get("/rs/prns/1000000001/ctts", token);
    expect(links.json).toMatchObject({ stateFacts: ["hasSize"], size: 2 });
    expect(links.json.elements).toEqual([
      `${simulator.url}/rs/prns/1000000001/ctts/10000000011`,
      `${simulator.url}/rs/prns/1000000001/ctts/10000000012`,
    ]);
    const followed = await get(new URL(links.json.elements[0]).pathname, token);
    expect(followed.json).toMatchObject({
      type: "EML",
      value: "m.ivanova@kip.spb.example",
    });

    const embedded = await get(
      "/rs/prns/1000000001/ctts?embed=(elements)",
      token,
    );
    expect(embedded.json.elements).toEqual([
      expect.objectContaining({
        type: "EML",
        vrfStu: "VERIFIED",
        value: "m.ivanova@kip.spb.example",
      }),
      expect.objectContaining({
        type: "MBT",
        vrfStu: "VERIFIED",
        value: "+7(900)0000001",
      }),
    ]);
  });

  it("returns roles inline", async () => {
    const token = await accessToken("a.mikhailov@cgu.spb.example");
    const { json } = await get("/rs/prns/1000000012/roles", token);
    expect(json.size).toBe(1);
    expect(json.elements[0]).toMatchObject({
      oid: 1000000103,
      prnOid: 1000000012,
      ogrn: "1027800001030",
      type: "LEGAL",
      chief: false,
      admin: true,
      active: false,
      isLiquidated: false,
    });
  });

  it("returns organization links", async () => {
    const token = await accessToken("m.ivanova@kip.spb.example");
    const { json } = await get("/rs/prns/1000000001/orgs", token);
    expect(json.elements).toEqual([`${simulator.url}/rs/orgs/1000000101`]);
  });

  it("refuses a call without the scope with the ESIA error body", async () => {
    const narrow = testEsiaClient(simulator, REDIRECT, {
      scope: "openid fullname",
    });
    const token = await accessToken("m.ivanova@kip.spb.example", narrow);
    const { status, json } = await get("/rs/prns/1000000001/ctts", token);
    expect(status).toBe(403);
    expect(json).toEqual({
      code: "ESIA-005029",
      message: "SecurityErrorEnum.scopeNotAllowed",
    });
    expect((await get("/rs/prns/1000000001/roles", token)).status).toBe(403);
  });

  it("refuses another person's data", async () => {
    const token = await accessToken("m.ivanova@kip.spb.example");
    const { status, json } = await get("/rs/prns/1000000002", token);
    expect(status).toBe(403);
    expect(json.code).toBe("ESIA-005029");
  });

  it("refuses a person token for organization groups", async () => {
    const token = await accessToken("m.ivanova@kip.spb.example");
    const { status } = await get(
      "/rs/orgs/1000000101/emps/1000000001/grps",
      token,
    );
    expect(status).toBe(403);
  });

  it("refuses a missing or garbled token", async () => {
    expect(await get("/rs/prns/1000000001")).toEqual({
      status: 401,
      json: { code: "ESIA-005011", message: "SecurityErrorEnum.invalidToken" },
    });
    expect((await get("/rs/prns/1000000001", "abc.def.ghi")).json.code).toBe(
      "ESIA-005011",
    );
  });

  it("refuses an expired token", async () => {
    const token = await accessToken("m.ivanova@kip.spb.example");
    clock.advance(3601);
    try {
      const { status, json } = await get("/rs/prns/1000000001", token);
      expect(status).toBe(401);
      expect(json).toEqual({
        code: "ESIA-005013",
        message: "SecurityErrorEnum.expiredToken",
      });
    } finally {
      clock.advance(-3601);
    }
  });
});
