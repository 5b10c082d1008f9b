import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../esia/helpers.js";

export interface ProductProcess {
  child: ChildProcess;
  url: string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** What the process has written to stdout and stderr so far. */
  output(): string;
}

/**
 * Starts the product as a child process on its embedded defaults (PGlite in
 * `dataDir`, the ESIA simulator and the mail catcher) on free ports, and
 * waits up to 120 s until `/readyz` returns 200. `args` are node's
 * arguments: flags and the entry point.
 */
export async function startEmbeddedProduct(
  args: string[],
  dataDir: string,
): Promise<ProductProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      DATABASE_URL: "",
      ESIA_BASE_URL: "",
      SMTP_URL: "",
      DATA_DIR: dataDir,
      PORT: String(port),
      ESIA_SIMULATOR_PORT: String(await freePort()),
      MAIL_CATCHER_PORT: String(await freePort()),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => resolve(code)),
  );

  const url = `http://localhost:${port}`;
  for (let attempt = 0; attempt < 240; attempt++) {
    if (child.exitCode !== null) {
      throw new Error(`the product exited during start:\n${output}`);
    }
    try {
      if ((await fetch(`${url}/readyz`)).ok) {
        return { child, url, exited, output: () => output };
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  child.kill("SIGKILL");
  throw new Error(`the product did not become ready in 120 s:\n${output}`);
}
