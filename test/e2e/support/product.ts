import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../esia/helpers.js";

/** The product started by a test file, as a person's browser reaches it. */
export interface Product {
  /** The product's public URL, `http://localhost:<port>`. */
  url: string;
  /** The embedded ESIA simulator. */
  esiaUrl: string;
  /** Stops the product with SIGTERM and removes its data folder. */
  stop(): Promise<void>;
}

const repositoryRoot = fileURLToPath(new URL("../../..", import.meta.url));
const START_TIMEOUT_MS = 150_000;

/** Variables of the product that the test run must not inherit from the shell. */
const PRODUCT_VARIABLES = [
  "DATABASE_URL",
  "SMTP_URL",
  "ESIA_BASE_URL",
  "ESIA_CLIENT_ID",
  "PUBLIC_URL",
  "HOST",
  "PLATFORM_OPERATORS",
  "ESIA_SIMULATOR_DEMO",
  "ESIA_SIMULATOR_FIXTURES",
  "DEMO_DATA",
];

/**
 * Starts the real product (`node --import tsx src/main.ts`) on its embedded
 * defaults: PGlite in a fresh temporary folder, the ESIA simulator with the
 * demo fixture and `fixtureFiles` merged after it, the demo editorial
 * cabinets, the mail catcher and the outbox worker. Resolves when `/readyz`
 * returns 200.
 */
export async function startProduct(
  options: { fixtureFiles?: string[] } = {},
): Promise<Product> {
  const dataDir = mkdtempSync(join(tmpdir(), "gp-e2e-"));
  const ports = {
    product: await freePort(),
    esia: await freePort(),
    mail: await freePort(),
  };
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of PRODUCT_VARIABLES) delete env[name];
  Object.assign(env, {
    DATA_DIR: dataDir,
    PORT: String(ports.product),
    ESIA_SIMULATOR_PORT: String(ports.esia),
    MAIL_CATCHER_PORT: String(ports.mail),
    ESIA_SIMULATOR_FIXTURES: (options.fixtureFiles ?? []).join(","),
    LOG_LEVEL: "warn",
  });

  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: repositoryRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) =>
    child.on("exit", () => resolve()),
  );

  const url = `http://localhost:${ports.product}`;
  const product: Product = {
    url,
    esiaUrl: `http://127.0.0.1:${ports.esia}`,
    async stop() {
      await stopChild(child, exited);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(
        `the product exited during start with code ${child.exitCode}:\n${output}`,
      );
    }
    try {
      if ((await fetch(`${url}/readyz`)).ok) return product;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await product.stop();
  throw new Error(
    `the product was not ready within ${START_TIMEOUT_MS / 1000} s:\n${output}`,
  );
}

async function stopChild(child: ChildProcess, exited: Promise<void>) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const killed = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(killed);
}
