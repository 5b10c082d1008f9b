import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EsiaSimulator } from "../../src/esia-simulator/index.js";
import {
  authorizeQuery,
  Browser,
  hiddenField,
  location,
  signRaw,
  startTestSimulator,
} from "./helpers.js";

const REDIRECT = "http://127.0.0.1:9/auth/esia/callback";
let simulator: EsiaSimulator;

beforeAll(async () => {
  simulator = await startTestSimulator([REDIRECT]);
});

afterAll(async () => {
  await simulator?.close();
});

const authorizeUrl = (query: URLSearchParams, path = "/aas/oauth2/v2/ac") =>
  `${simulator.url}${path}?${query.toString()}`;

/** Sends the request and returns the error ESIA redirected back with. */
async function rejected(query: URLSearchParams) {
  const response = await fetch(authorizeUrl(query), { redirect: "manual" });
  expect(response.status).toBe(302);
  const back = new URL(location(response, simulator.url));
  expect(back.origin + back.pathname).toBe(REDIRECT);
  return {
    error: back.searchParams.get("error"),
    description: back.searchParams.get("error_description") ?? "",
    state: back.searchParams.get("state"),
  };
}

describe("v2/ac request checks", () => {
  it("accepts a valid request and shows the login page", async () => {
    const response = await fetch(authorizeUrl(authorizeQuery(REDIRECT)), {
      redirect: "manual",
    });
    expect(response.status).toBe(302);
    expect(new URL(location(response, simulator.url)).pathname).toBe("/login");
  });

  it("rejects a bad signature", async () => {
    const query = authorizeQuery(REDIRECT);
    const state = query.get("state");
    query.set("client_secret", signRaw("another string"));
    const result = await rejected(query);
    expect(result.description).toMatch(/^ESIA-007053: /);
    expect(result.error).toBe("access_denied");
    expect(result.state).toBe(state);
  });

  it("rejects a signature over the legacy string", async () => {
    const query = authorizeQuery(REDIRECT);
    const legacy =
      query.get("scope")! +
      query.get("timestamp") +
      "MNSV36" +
      query.get("state");
    query.set("client_secret", signRaw(legacy));
    expect((await rejected(query)).description).toMatch(/^ESIA-007053: /);
  });

  it("rejects a wrong certificate hash", async () => {
    const query = authorizeQuery(REDIRECT, {
      after: { client_certificate_hash: "AB".repeat(32) },
    });
    const result = await rejected(query);
    expect(result.description).toMatch(/^ESIA-007002: /);
  });

  it("rejects a 40-hex certificate hash", async () => {
    const query = authorizeQuery(REDIRECT, {
      after: { client_certificate_hash: "ab".repeat(20) },
    });
    const result = await rejected(query);
    expect(result.description).toMatch(
      /^ESIA-007003: .*client_certificate_hash/,
    );
    expect(result.error).toBe("invalid_request");
  });

  it("accepts the certificate hash in upper case", async () => {
    const query = authorizeQuery(REDIRECT);
    query.set(
      "client_certificate_hash",
      query.get("client_certificate_hash")!.toUpperCase(),
    );
    const response = await fetch(authorizeUrl(query), { redirect: "manual" });
    expect(new URL(location(response, simulator.url)).pathname).toBe("/login");
  });

  it("requires the certificate hash", async () => {
    const query = authorizeQuery(REDIRECT, {
      after: { client_certificate_hash: undefined },
    });
    expect((await rejected(query)).description).toMatch(
      /^ESIA-007014: .*\[client_certificate_hash\]/,
    );
  });

  it("rejects a timestamp in the wrong format", async () => {
    const iso = new Date().toISOString();
    const result = await rejected(
      authorizeQuery(REDIRECT, { before: { timestamp: iso } }),
    );
    expect(result.description).toMatch(/^ESIA-007003: .*\[timestamp\]/);
  });

  it("rejects a timestamp whose plus sign was not encoded", async () => {
    const query = authorizeQuery(REDIRECT);
    const url = authorizeUrl(query).replace("%2B0000", "+0000");
    const response = await fetch(url, { redirect: "manual" });
    const back = new URL(location(response, simulator.url));
    expect(back.searchParams.get("error_description")).toMatch(
      /^ESIA-007003: .*\[timestamp\]/,
    );
  });

  it("rejects a timestamp too far off", async () => {
    const query = authorizeQuery(REDIRECT, { now: Date.now() - 10 * 60_000 });
    expect((await rejected(query)).description).toMatch(/^ESIA-007015: /);
  });

  it("accepts a timestamp in another time zone", async () => {
    const moscow = new Date(Date.now() + 3 * 3_600_000);
    const pad = (value: number) => String(value).padStart(2, "0");
    const timestamp =
      `${moscow.getUTCFullYear()}.${pad(moscow.getUTCMonth() + 1)}.${pad(moscow.getUTCDate())} ` +
      `${pad(moscow.getUTCHours())}:${pad(moscow.getUTCMinutes())}:${pad(moscow.getUTCSeconds())} +0300`;
    const query = authorizeQuery(REDIRECT, { before: { timestamp } });
    const response = await fetch(authorizeUrl(query), { redirect: "manual" });
    expect(new URL(location(response, simulator.url)).pathname).toBe("/login");
  });

  it("rejects a state that is not a UUID", async () => {
    const result = await rejected(
      authorizeQuery(REDIRECT, { before: { state: "12345" } }),
    );
    expect(result.description).toMatch(/^ESIA-007003: .*\[state\]/);
    expect(result.state).toBe("12345");
  });

  it("rejects a full-URI person scope", async () => {
    const query = authorizeQuery(REDIRECT, {
      before: { scope: "openid http://esia.gosuslugi.ru/usr_inf" },
    });
    const result = await rejected(query);
    expect(result.description).toMatch(/^ESIA-007006: /);
    expect(result.error).toBe("invalid_scope");
  });

  it("rejects a response type other than code", async () => {
    const result = await rejected(
      authorizeQuery(REDIRECT, { before: { response_type: "token" } }),
    );
    expect(result.description).toMatch(/^ESIA-007012: /);
  });

  it("rejects a repeated parameter", async () => {
    const query = authorizeQuery(REDIRECT);
    query.append("scope", "openid");
    expect((await rejected(query)).description).toMatch(
      /^ESIA-007003: .*\[scope\]/,
    );
  });

  it("shows its own page for an unknown client", async () => {
    const query = authorizeQuery(REDIRECT, {
      before: { client_id: "UNKNOWN1" },
    });
    const response = await fetch(authorizeUrl(query), { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    const html = await response.text();
    expect(html).toContain("ESIA-008010");
    expect(html).toContain("«UNKNOWN1» не зарегистрирована");
  });

  it("shows its own page for an unregistered redirect URI", async () => {
    const query = authorizeQuery("http://127.0.0.1:9/elsewhere");
    const response = await fetch(authorizeUrl(query), { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain("ESIA-007023");
  });
});

describe("login page", () => {
  async function openLogin(browser: Browser) {
    const authorize = await browser.get(authorizeUrl(authorizeQuery(REDIRECT)));
    const url = location(authorize, simulator.url);
    const page = await browser.get(url);
    const html = await page.text();
    return { url, html, authReq: hiddenField(html, "authReq") };
  }

  it("has the Gosuslugi labels bound to inputs", async () => {
    const { html } = await openLogin(new Browser());
    expect(html).toContain('<html lang="ru">');
    expect(html).toMatch(/<h1>[^<]+<\/h1>/);
    expect(html).toContain(
      '<label for="login">Телефон / Email / СНИЛС</label>',
    );
    expect(html).toContain('id="login"');
    expect(html).toContain('<label for="password">Пароль</label>');
    expect(html).toContain('id="password"');
    for (const text of [
      "Восстановить",
      ">Войти<",
      "Войти другим способом",
      "Эл. подпись",
      "Не удаётся войти?",
      "Зарегистрироваться",
    ]) {
      expect(html).toContain(text);
    }
  });

  it.each([
    ["e-mail in another case", "A.PETROV@CGU.SPB.EXAMPLE"],
    ["СНИЛС with separators", "112-233-002 72"],
    ["СНИЛС without separators", "11223300272"],
    ["phone with +7", "+7 900 000-00-02"],
    ["phone with 8", "8 (900) 0000002"],
    ["phone of ten digits", "9000000002"],
  ])("signs in with %s", async (_case, login) => {
    const browser = new Browser();
    const { authReq } = await openLogin(browser);
    const response = await browser.post(`${simulator.url}/login`, {
      authReq,
      login,
      password: "demo-password",
    });
    expect(response.status).toBe(303);
    expect(new URL(location(response, simulator.url)).pathname).toBe(
      "/consent",
    );
  });

  it("explains a wrong password", async () => {
    const browser = new Browser();
    const { authReq } = await openLogin(browser);
    const response = await browser.post(`${simulator.url}/login`, {
      authReq,
      login: "a.petrov@cgu.spb.example",
      password: "wrong",
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain("Неверный логин или пароль");
    expect(html).toContain('aria-invalid="true"');
    expect(
      browser.cookie(new URL(simulator.url).host, "esia_sim_session"),
    ).toBeUndefined();
  });

  it("asks for a missing login", async () => {
    const browser = new Browser();
    const { authReq } = await openLogin(browser);
    const response = await browser.post(`${simulator.url}/login`, {
      authReq,
      login: " ",
      password: "demo-password",
    });
    expect(await response.text()).toContain(
      "Введите телефон, электронную почту или СНИЛС.",
    );
  });

  it("rejects an unknown authorization request", async () => {
    const response = await new Browser().post(`${simulator.url}/login`, {
      authReq: "00000000-0000-4000-8000-000000000000",
      login: "a.petrov@cgu.spb.example",
      password: "demo-password",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Запрос на вход устарел");
  });
});

describe("consent page", () => {
  async function openConsent(browser: Browser, scope?: string) {
    const query = authorizeQuery(REDIRECT, scope ? { before: { scope } } : {});
    const authorize = await browser.get(authorizeUrl(query));
    const loginUrl = location(authorize, simulator.url);
    const login = await browser.get(loginUrl);
    const authReq = hiddenField(await login.text(), "authReq");
    const loggedIn = await browser.post(`${simulator.url}/login`, {
      authReq,
      login: "a.petrov@cgu.spb.example",
      password: "demo-password",
    });
    const consent = await browser.get(location(loggedIn, simulator.url));
    return { html: await consent.text(), authReq, state: query.get("state") };
  }

  it("lists the requested rights as Gosuslugi does", async () => {
    const { html } = await openConsent(new Browser());
    expect(html).toContain("<h1>Предоставление прав доступа</h1>");
    const text = html.replace(/<[^>]+>/g, "");
    expect(text).toContain("MNSV36 запрашивает следующие права:");
    const items = [...html.matchAll(/<li>([^<]+)<\/li>/g)].map(
      (match) => match[1],
    );
    expect(items).toEqual([
      "Просмотр списка организаций пользователя",
      "Проведение входа в систему",
      "Просмотр вашей фамилии, имени и отчества",
      "Просмотр вашего адреса электронной почты",
      "Просмотр номера вашего мобильного телефона",
    ]);
    expect(html).toContain(">Предоставить</button>");
    expect(html).toContain(">Отказать</button>");
    expect(html).toContain(
      'Нажимая кнопку "Предоставить", вы разрешаете этой организации использовать указанные данные согласно её правилам и условиям. Вы всегда можете отозвать это разрешение в настройках Госуслуг.',
    );
  });

  it("returns ESIA-007004 on «Отказать»", async () => {
    const browser = new Browser();
    const { authReq, state } = await openConsent(browser);
    const response = await browser.post(`${simulator.url}/consent`, {
      authReq,
      decision: "deny",
    });
    const back = new URL(location(response, simulator.url));
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("error_description")).toBe(
      "ESIA-007004: The resource owner or authorization server denied the request.",
    );
    expect(back.searchParams.get("state")).toBe(state);
    expect(back.searchParams.get("code")).toBeNull();
  });

  it("returns a code and the state on «Предоставить»", async () => {
    const browser = new Browser();
    const { authReq, state } = await openConsent(browser);
    const response = await browser.post(`${simulator.url}/consent`, {
      authReq,
      decision: "grant",
    });
    const back = new URL(location(response, simulator.url));
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get("code")).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(back.searchParams.get("state")).toBe(state);
  });

  it("accepts each request only once", async () => {
    const browser = new Browser();
    const { authReq } = await openConsent(browser);
    await browser.post(`${simulator.url}/consent`, {
      authReq,
      decision: "grant",
    });
    const again = await browser.post(`${simulator.url}/consent`, {
      authReq,
      decision: "grant",
    });
    expect(again.status).toBe(400);
  });
});

describe("logout", () => {
  it("ends the ESIA session and returns to a registered site", async () => {
    const browser = new Browser();
    const host = new URL(simulator.url).host;
    const authorize = await browser.get(authorizeUrl(authorizeQuery(REDIRECT)));
    const login = await browser.get(location(authorize, simulator.url));
    await browser.post(`${simulator.url}/login`, {
      authReq: hiddenField(await login.text(), "authReq"),
      login: "a.petrov@cgu.spb.example",
      password: "demo-password",
    });
    expect(browser.cookie(host, "esia_sim_session")).toBeDefined();
    const query = new URLSearchParams({
      client_id: "MNSV36",
      redirect_url: "http://127.0.0.1:9/signin",
    });
    const response = await browser.get(
      `${simulator.url}/idp/ext/Logout?${query}`,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("http://127.0.0.1:9/signin");
    expect(browser.cookie(host, "esia_sim_session")).toBeUndefined();
  });

  it("does not redirect to a foreign site", async () => {
    const query = new URLSearchParams({
      client_id: "MNSV36",
      redirect_url: "http://127.0.0.2:9/phishing",
    });
    const response = await fetch(`${simulator.url}/idp/ext/Logout?${query}`, {
      redirect: "manual",
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Вы вышли из учётной записи");
  });
});
