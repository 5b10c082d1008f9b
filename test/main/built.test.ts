import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildServer, startArguments } from "../../bench/server.js";
import { Browser, freePort, location, passEsia } from "../esia/helpers.js";

// Builds the server bundle and starts it as `npm start` does, on the embedded
// defaults. The bundle finds the migrations, the simulator's fixture files
// and the lazily imported chunks relative to its own folder, so a build that
// leaves one of them out fails here.

const dataDir = mkdtempSync(join(tmpdir(), "gp-built-"));
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

describe("built product", () => {
  it("starts on the embedded defaults and stops on SIGTERM", async () => {
    buildServer();
    const ports = {
      product: await freePort(),
      esia: await freePort(),
      mail: await freePort(),
    };
    child = spawn(process.execPath, startArguments(), {
      env: {
        ...process.env,
        DATABASE_URL: "",
        ESIA_BASE_URL: "",
        SMTP_URL: "",
        DATA_DIR: dataDir,
        PORT: String(ports.product),
        ESIA_SIMULATOR_PORT: String(ports.esia),
        MAIL_CATCHER_PORT: String(ports.mail),
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) =>
      child!.on("exit", (code) => resolve(code)),
    );

    const url = `http://localhost:${ports.product}`;
    let ready = false;
    for (let attempt = 0; attempt < 240 && !ready; attempt++) {
      if (child.exitCode !== null) {
        throw new Error(`the product exited during start:\n${output}`);
      }
      try {
        ready = (await fetch(`${url}/readyz`)).ok;
      } catch {
        // Not listening yet.
      }
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(ready, output).toBe(true);

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

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 180_000);
});
