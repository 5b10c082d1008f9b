import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Browser, freePort, location, passEsia } from "../esia/helpers.js";

// Starts the real product (`src/main.ts`) on its embedded defaults, writes
// through the API, stops it with SIGTERM in the middle of the writes, starts
// it again on the same PGlite folder and checks that every acknowledged
// write is there.

const dataDir = mkdtempSync(join(tmpdir(), "gp-restart-"));
const children: ChildProcess[] = [];

interface Product {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

async function startProduct(ports: {
  product: number;
  esia: number;
  mail: number;
}): Promise<Product> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: "",
      DATA_DIR: dataDir,
      PORT: String(ports.product),
      ESIA_SIMULATOR_PORT: String(ports.esia),
      MAIL_CATCHER_PORT: String(ports.mail),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => resolve(code)),
  );
  const url = `http://localhost:${ports.product}`;
  for (let attempt = 0; attempt < 240; attempt++) {
    if (child.exitCode !== null)
      throw new Error(`the product exited during start:\n${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { child, url, exited };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the product did not become ready in 120 s:\n${output}`);
}

async function signIn(
  product: Product,
): Promise<{ browser: Browser; csrf: string }> {
  const browser = new Browser();
  const start = await browser.get(`${product.url}/auth/esia/start`);
  const callback = await passEsia(browser, location(start, product.url), {
    login: "+7(900)0000002",
  });
  const back = await browser.get(callback);
  expect(back.status).toBe(303);
  const session = await browser.get(`${product.url}/api/session`);
  expect(session.status).toBe(200);
  const body = (await session.json()) as { csrfToken: string };
  return { browser, csrf: body.csrfToken };
}

function api(product: Product, signedIn: { browser: Browser; csrf: string }) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await signedIn.browser.request(`${product.url}${path}`, {
      method,
      headers: {
        "x-csrf-token": signedIn.csrf,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as { id: string; state: string },
    };
  };
}

const form = (n: number) => ({
  organizationOid: "1000000103",
  kind: "work",
  name: `Кабинет ЦГУ ${n}`,
  region: "78",
  type: "roiv_subordinate",
  editorialCabinetId: "00000000-0000-4000-8000-000000000101",
  spheres: ["test_pp"],
  email: "petrov@cgu.spb.example",
  idempotencyKey: crypto.randomUUID(),
});

afterAll(() => {
  for (const child of children)
    if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

// The PGlite folder is what this protects, so the PostgreSQL run skips it.
describe.skipIf(process.env.DATABASE_URL)(
  "restart of the embedded product",
  () => {
    it("keeps every acknowledged write after SIGTERM in the middle of writes", async () => {
      const ports = {
        product: await freePort(),
        esia: await freePort(),
        mail: await freePort(),
      };
      const first = await startProduct(ports);
      const call = api(first, await signIn(first));

      const acknowledged = new Map<string, string>();
      for (let n = 0; n < 6; n++) {
        const submitted = await call("POST", "/api/applications", form(n));
        expect(submitted.status).toBe(201);
        acknowledged.set(submitted.body.id, submitted.body.state);
        const withdrawn = await call(
          "POST",
          `/api/applications/${submitted.body.id}/withdraw`,
        );
        expect(withdrawn.status).toBe(200);
        acknowledged.set(submitted.body.id, withdrawn.body.state);
      }
      // Send SIGTERM while a submission is in flight: it must finish and be kept.
      const inFlight = call("POST", "/api/applications", form(99));
      await new Promise((resolve) => setTimeout(resolve, 5));
      first.child.kill("SIGTERM");
      const last = await inFlight;
      expect(last.status).toBe(201);
      acknowledged.set(last.body.id, last.body.state);
      expect(await first.exited).toBe(0);

      const second = await startProduct(ports);
      const again = api(second, await signIn(second));
      expect(acknowledged.size).toBe(7);
      for (const [id, state] of acknowledged) {
        const stored = await again("GET", `/api/applications/${id}`);
        expect(stored.status, `application ${id}`).toBe(200);
        expect(stored.body.state, `application ${id}`).toBe(state);
      }
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    }, 300_000);
  },
);
