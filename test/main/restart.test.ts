import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Browser, location, passEsia } from "../esia/helpers.js";
import {
  startEmbeddedProduct,
  type ProductProcess,
} from "../helpers/product-process.js";

// Starts the real product (`src/main.ts`) on its embedded defaults, writes
// through the API, stops it with SIGTERM in the middle of the writes, starts
// it again on the same PGlite folder and checks that every acknowledged
// write is there.

const dataDir = mkdtempSync(join(tmpdir(), "gp-restart-"));
const products: ProductProcess[] = [];

/** Starts `src/main.ts` through tsx on the embedded defaults and `dataDir`. */
async function startProduct(): Promise<ProductProcess> {
  const product = await startEmbeddedProduct(
    ["--import", "tsx", "src/main.ts"],
    dataDir,
  );
  products.push(product);
  return product;
}

async function signIn(
  product: ProductProcess,
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

function api(
  product: ProductProcess,
  signedIn: { browser: Browser; csrf: string },
) {
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
  for (const { child } of products)
    if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

// The PGlite folder is what this protects, so the PostgreSQL run skips it.
describe.skipIf(process.env.DATABASE_URL)(
  "restart of the embedded product",
  () => {
    it("keeps every acknowledged write after SIGTERM in the middle of writes", async () => {
      const first = await startProduct();
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

      const second = await startProduct();
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
