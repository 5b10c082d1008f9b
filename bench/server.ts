import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const REPOSITORY_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Returns a free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port assigned"));
      });
    });
  });
}

/** Reads a `kB` field (`VmRSS`, `VmHWM`) of /proc/<pid>/status; null once the process is gone. */
export function readMemoryKb(pid: number, field: "VmRSS" | "VmHWM") {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Total CPU time (user + system) of a process in seconds, from /proc/<pid>/stat. */
export function readCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100;
  } catch {
    return null;
  }
}

/** The folder `npm run build:server` writes and `npm start` runs. */
const START_BUNDLE = "dist/server";

/**
 * Returns the node arguments of `npm start`: flags and entry point, read from
 * the last command of its script, which must be `exec node <arguments>`.
 * The benchmark runs the product with them, so it measures what `npm start`
 * runs. With `bundle`, the entry point is taken from that folder instead of
 * dist/server.
 */
export function startArguments(bundle = START_BUNDLE): string[] {
  const manifest = JSON.parse(
    readFileSync(join(REPOSITORY_ROOT, "package.json"), "utf8"),
  ) as { scripts: Record<string, string> };
  const command = (manifest.scripts.start ?? "").split("&&").at(-1)!.trim();
  const match = /^exec node (.+)$/.exec(command);
  if (!match || !match[1]!.includes(`${START_BUNDLE}/`)) {
    throw new Error(
      `the start script of package.json must end with "exec node <arguments>" and run ${START_BUNDLE}/main.js, found "${command}": update startArguments in bench/server.ts to match it`,
    );
  }
  return match[1]!
    .split(/\s+/)
    .map((argument) =>
      argument.startsWith(`${START_BUNDLE}/`)
        ? `${bundle}/${argument.slice(START_BUNDLE.length + 1)}`
        : argument,
    );
}

const built = new Set<string>();

/**
 * Builds the server bundle with `scripts/build-server.mjs`, as `npm start`
 * does, once per process and folder. Tests pass a folder of their own, so
 * that a build never replaces the chunks of a product running from
 * dist/server. The web UI is not rebuilt: the product serves whatever
 * `dist/web` holds.
 */
export function buildServer(bundle = START_BUNDLE): void {
  if (built.has(bundle)) return;
  execFileSync(process.execPath, ["scripts/build-server.mjs", bundle], {
    cwd: REPOSITORY_ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  built.add(bundle);
}

export interface ProductProcess {
  url: string;
  pid: number;
  /** The highest RSS seen by the sampler since the last `resetPeak`, in kB. */
  peakRssKb(): number;
  resetPeak(): void;
  /** The kernel's RSS high-water mark of the whole process life, in kB; after `stop`, as read just before it. */
  highWaterMarkKb(): number | null;
  /** Stops the process with SIGTERM (so a CPU profile gets written) and waits for it. */
  stop(): Promise<void>;
}

export interface ProductOptions {
  env: Record<string, string>;
  /** File that receives the product's stdout and stderr. */
  logFile: string;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** Sampling interval of the RSS, in milliseconds. */
  sampleMs?: number;
}

/**
 * Builds the server and starts it with node and the arguments of `npm start`
 * (not through npm, so the child's pid is the server itself), and waits until
 * `/readyz` returns 200.
 */
export async function startProduct(
  options: ProductOptions,
): Promise<ProductProcess> {
  const port = Number(options.env.PORT);
  const url = `http://127.0.0.1:${port}`;
  mkdirSync(join(options.logFile, ".."), { recursive: true });
  buildServer();
  const output = openSync(options.logFile, "a");
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), ...startArguments()],
    {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, ...options.env, HOST: "127.0.0.1" },
      stdio: ["ignore", output, output],
    },
  );
  closeSync(output);
  const pid = child.pid!;
  let stopping = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => {
      if (!stopping) {
        process.stderr.write(
          `the product (pid ${pid}) exited unexpectedly with code ${code}, signal ${signal}: see ${options.logFile}\n`,
        );
      }
      resolve(code);
    }),
  );
  let peak = 0;
  const sampler = setInterval(() => {
    const rss = readMemoryKb(pid, "VmRSS");
    if (rss !== null && rss > peak) peak = rss;
  }, options.sampleMs ?? 100);
  sampler.unref();

  let finalHighWaterMark: number | null = null;
  const stop = async () => {
    stopping = true;
    clearInterval(sampler);
    if (child.exitCode === null && child.signalCode === null) {
      finalHighWaterMark = readMemoryKb(pid, "VmHWM");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `the product exited with code ${child.exitCode} before it was ready: see ${options.logFile}`,
      );
    }
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `the product at ${url} was not ready within 120 s: see ${options.logFile}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  return {
    url,
    pid,
    peakRssKb: () => peak,
    resetPeak: () => {
      peak = readMemoryKb(pid, "VmRSS") ?? 0;
    },
    highWaterMarkKb: () => readMemoryKb(pid, "VmHWM") ?? finalHighWaterMark,
    stop,
  };
}
