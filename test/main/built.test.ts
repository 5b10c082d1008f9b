import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildServer, startArguments } from "../../bench/server.js";
import { Browser, location, passEsia } from "../esia/helpers.js";
import {
  startEmbeddedProduct,
  type ProductProcess,
} from "../helpers/product-process.js";

// Builds the server bundle and starts it as `npm start` does, on the embedded
// defaults. The bundle finds the migrations, the simulator's fixture files
// and the lazily imported chunks relative to its own folder, so a build that
// leaves one of them out fails here.

const dataDir = mkdtempSync(join(tmpdir(), "gp-built-"));
const BUNDLE = "dist/server-test";
let product: ProductProcess | undefined;

afterAll(() => {
  if (product && product.child.exitCode === null) {
    product.child.kill("SIGKILL");
  }
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(BUNDLE, { recursive: true, force: true });
});

describe("built product", () => {
  it("starts on the embedded defaults and stops on SIGTERM", async () => {
    // A folder of its own: a product running from dist/server keeps its chunks.
    buildServer(BUNDLE);
    product = await startEmbeddedProduct(startArguments(BUNDLE), dataDir);
    const { url } = product;

    // A demo account exists only if the simulator read its demo fixture.
    const browser = new Browser();
    const start = await browser.get(`${url}/auth/esia/start`);
    const callback = await passEsia(browser, location(start, url), {
      login: "+7(900)0000002",
    });
    expect((await browser.get(callback)).status).toBe(303);
    expect((await browser.get(`${url}/api/session`)).status).toBe(200);

    // The mail routes are imported only with the embedded mail catcher.
    expect((await browser.get(`${url}/api/mail`)).status).toBe(200);

    product.child.kill("SIGTERM");
    expect(await product.exited, product.output()).toBe(0);
  }, 180_000);
});
