import { spawn } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** pgbench of the PostgreSQL installation, or the one on PATH. */
export function findPgbench(): string {
  for (const version of ["17", "16", "15"]) {
    const path = `/usr/lib/postgresql/${version}/bin/pgbench`;
    if (existsSync(path)) return path;
  }
  return "pgbench";
}

export interface PgbenchOptions {
  /** postgres:// URL of the database. */
  url: string;
  script: string;
  clients: number;
  /** Seconds. */
  duration: number;
  /** `-D name=value` variables of the script. */
  variables: Record<string, string | number>;
  /** Query protocol: `extended` is what node-postgres uses. */
  mode?: "simple" | "extended" | "prepared";
}

export interface PgbenchResult {
  clients: number;
  mode: string;
  transactions: number;
  failed: number;
  tps: number;
  /** Transaction latency percentiles from the per-transaction log, in milliseconds. */
  p50: number;
  p99: number;
  output: string;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(
    sorted.length - 1,
    Math.ceil(fraction * sorted.length) - 1,
  );
  return sorted[Math.max(0, index)]!;
}

/**
 * Runs pgbench for a fixed time, logging every transaction so that the
 * latency percentiles are exact, and parses its summary.
 */
export async function runPgbench(
  options: PgbenchOptions,
): Promise<PgbenchResult> {
  const url = new URL(options.url);
  const mode = options.mode ?? "extended";
  const logDir = mkdtempSync(join(tmpdir(), "gp-pgbench-"));
  const args = [
    "-n",
    "-M",
    mode,
    "-f",
    options.script,
    "-c",
    String(options.clients),
    "-j",
    String(Math.min(2, options.clients)),
    "-T",
    String(options.duration),
    "-l",
    "--log-prefix",
    join(logDir, "tx"),
    "-h",
    url.hostname,
    "-p",
    url.port || "5432",
    "-U",
    decodeURIComponent(url.username) || "postgres",
    ...Object.entries(options.variables).flatMap(([name, value]) => [
      "-D",
      `${name}=${value}`,
    ]),
    url.pathname.slice(1),
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(findPgbench(), args, {
      env: {
        ...process.env,
        ...(url.password
          ? { PGPASSWORD: decodeURIComponent(url.password) }
          : {}),
      },
    });
    let text = "";
    child.stdout.on("data", (chunk) => (text += chunk));
    child.stderr.on("data", (chunk) => (text += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(text);
      else reject(new Error(`pgbench exited with code ${code}:\n${text}`));
    });
  });

  // Log line: client_id transaction_no time_us script_no time_epoch time_epoch_us
  const latencies: number[] = [];
  for (const file of readdirSync(logDir)) {
    for (const line of readFileSync(join(logDir, file), "utf8").split("\n")) {
      const fields = line.split(" ");
      if (fields.length >= 3) latencies.push(Number(fields[2]) / 1000);
    }
  }
  rmSync(logDir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);

  const number = (pattern: RegExp) => {
    const match = pattern.exec(output);
    if (!match) {
      throw new Error(`pgbench output has no ${pattern.source}:\n${output}`);
    }
    return Number(match[1]);
  };
  return {
    clients: options.clients,
    mode,
    transactions: number(/actually processed: (\d+)/),
    failed: number(/failed transactions: (\d+)/),
    tps: number(/tps = ([\d.]+) \(without initial connection time\)/),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    output,
  };
}
