import {
  randomUUID,
  sign,
  X509Certificate,
  createPrivateKey,
} from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import {
  createEsiaClient,
  type EsiaClientOptions,
} from "../../src/esia/client.js";
import { formatEsiaTimestamp } from "../../src/esia/protocol.js";
import { createPemSigner } from "../../src/esia/signer.js";
import {
  startEsiaSimulator,
  type EsiaSimulator,
  type EsiaSimulatorOptions,
} from "../../src/esia-simulator/index.js";

export const fixturePath = (name: string) =>
  fileURLToPath(new URL(`../fixtures/esia/${name}`, import.meta.url));

/** TEST ONLY key material, committed under test/fixtures/esia. */
export const testClientKeyPem = readFileSync(
  fixturePath("test-client-key.pem"),
  "utf8",
);
export const testClientCertPem = readFileSync(
  fixturePath("test-client-cert.pem"),
  "utf8",
);
/** SHA-256 of the certificate's DER is used in place of the GOST hash ESIA uses. */
export const testCertificateHash = new X509Certificate(
  testClientCertPem,
).fingerprint256
  .replaceAll(":", "")
  .toLowerCase();

export const CLIENT_ID = "MNSV36";
export const DEMO_PASSWORD = "demo-password";

/** Creates a controllable clock for the simulator, in epoch milliseconds. */
export function testClock(start = Date.now()) {
  let offset = 0;
  return {
    now: () => start + offset + (Date.now() - start),
    advance(seconds: number) {
      offset += seconds * 1000;
    },
  };
}

/** Finds a free loopback port, so that a redirect URI can be registered before the server starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startTestSimulator(
  redirectUris: string[],
  options: EsiaSimulatorOptions = {},
): Promise<EsiaSimulator> {
  return startEsiaSimulator({
    port: 0,
    extraClients: [
      {
        clientId: CLIENT_ID,
        publicKeyPem: testClientCertPem,
        certificateHash: testCertificateHash,
        redirectUris,
      },
    ],
    ...options,
  });
}

export function testEsiaClient(
  simulator: EsiaSimulator,
  redirectUri: string,
  overrides: Partial<EsiaClientOptions> = {},
) {
  return createEsiaClient({
    baseUrl: simulator.url,
    clientId: CLIENT_ID,
    redirectUri,
    signer: createPemSigner(testClientKeyPem),
    certificateHash: testCertificateHash,
    verificationKeys: [simulator.tokenVerificationKeyPem],
    ...overrides,
  });
}

const testKey = createPrivateKey(testClientKeyPem);

/** Raw RSA-SHA256 signature in base64url, as v2/ac and v3/te take it. */
export function signRaw(text: string): string {
  return sign("sha256", Buffer.from(text, "utf8"), testKey).toString(
    "base64url",
  );
}

export interface AuthorizeParams {
  client_id: string;
  client_secret: string;
  client_certificate_hash: string;
  redirect_uri: string;
  scope: string;
  response_type: string;
  state: string;
  timestamp: string;
  access_type: string;
}

/** Builds a correctly signed v2/ac query; `change` edits it before or after signing. */
export function authorizeQuery(
  redirectUri: string,
  change: {
    before?: Partial<AuthorizeParams>;
    after?: Partial<Record<keyof AuthorizeParams, string | undefined>>;
    now?: number;
  } = {},
): URLSearchParams {
  const params: AuthorizeParams = {
    client_id: CLIENT_ID,
    client_secret: "",
    client_certificate_hash: testCertificateHash,
    redirect_uri: redirectUri,
    scope: "openid fullname email mobile usr_org",
    response_type: "code",
    state: randomUUID(),
    timestamp: formatEsiaTimestamp(new Date(change.now ?? Date.now())),
    access_type: "online",
    ...change.before,
  };
  params.client_secret = signRaw(
    params.client_id +
      params.scope +
      params.timestamp +
      params.state +
      params.redirect_uri,
  );
  const query = new URLSearchParams();
  const final = { ...params, ...change.after };
  for (const [key, value] of Object.entries(final)) {
    if (value !== undefined) query.append(key, value);
  }
  return query;
}

/**
 * A minimal browser: keeps cookies per host, never follows redirects on its
 * own, and reads hidden form fields from HTML.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  async get(url: string): Promise<Response> {
    return this.request(url, { method: "GET" });
  }

  async post(
    url: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.request(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
    });
  }

  async request(url: string, init: RequestInit): Promise<Response> {
    const target = new URL(url);
    const cookies = this.jar.get(target.host);
    const headers = new Headers(init.headers);
    if (cookies && cookies.size > 0) {
      headers.set(
        "cookie",
        [...cookies].map(([name, value]) => `${name}=${value}`).join("; "),
      );
    }
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie())
      this.store(target.host, line);
    return response;
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  setCookie(host: string, name: string, value: string): void {
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    cookies.set(name, value);
    this.jar.set(host, cookies);
  }

  private store(host: string, line: string): void {
    const [pair, ...attributes] = line.split(";");
    const index = pair!.indexOf("=");
    const name = pair!.slice(0, index).trim();
    const value = pair!.slice(index + 1).trim();
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    const expired =
      value === "" ||
      attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute)) ||
      attributes.some((attribute) =>
        /^\s*expires=thu, 01 jan 1970/i.test(attribute),
      );
    if (expired) cookies.delete(name);
    else cookies.set(name, value);
    this.jar.set(host, cookies);
  }
}

export function location(response: Response, base?: string): string {
  const value = response.headers.get("location");
  if (!value) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(value, base ?? response.url).toString();
}

export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field ${name} in the page`);
  return match[1]!;
}

/**
 * Goes through the simulator's login and consent pages from the
 * authorization URL, and returns the URL ESIA redirects back to.
 */
export async function passEsia(
  browser: Browser,
  authorizationUrl: string,
  input: {
    login?: string;
    password?: string;
    decision?: "grant" | "deny";
  } = {},
): Promise<string> {
  const authorize = await browser.get(authorizationUrl);
  if (authorize.status !== 302) {
    throw new Error(
      `authorization request answered ${authorize.status}: ${await authorize.text()}`,
    );
  }
  let next = location(authorize, authorizationUrl);
  if (new URL(next).pathname !== "/login") return next;

  // The login form is skipped while the browser has an ESIA session.
  let page = await browser.get(next);
  if (page.status === 200) {
    const html = await page.text();
    const authReq = hiddenField(html, "authReq");
    page = await browser.post(new URL("/login", next).toString(), {
      authReq,
      login: input.login ?? "a.petrov@cgu.spb.example",
      password: input.password ?? DEMO_PASSWORD,
    });
    if (page.status !== 303)
      throw new Error(`login answered ${page.status}: ${await page.text()}`);
  }

  next = location(page, next);
  const consent = await browser.get(next);
  if (consent.status !== 200)
    throw new Error(`consent page answered ${consent.status}`);
  const authReq = hiddenField(await consent.text(), "authReq");
  const decided = await browser.post(new URL("/consent", next).toString(), {
    authReq,
    decision: input.decision ?? "grant",
  });
  return location(decided, next);
}
