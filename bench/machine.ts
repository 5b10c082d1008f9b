import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg, totalmem } from "node:os";
import pg from "pg";
import { ADMIN_URL } from "./databases.js";
import { findPgbench } from "./pgbench.js";
import { REPOSITORY_ROOT } from "./server.js";

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  /** 1, 5 and 15-minute load averages when the run started. */
  loadAverageBefore: number[];
  node: string;
  postgres: string;
  pgbench: string;
  /** Commit of the measured code, with `+changes` when the tree was dirty. */
  commit: string;
}

function cpuModel(): string {
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, {
      cwd: REPOSITORY_ROOT,
      encoding: "utf8",
    }).trim();
  } catch {
    return "unknown";
  }
}

export async function collectMachine(): Promise<Machine> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  const version = await client.query<{ server_version: string }>(
    "show server_version",
  );
  await client.end();
  const commit = run("git", ["rev-parse", "--short", "HEAD"]);
  const dirty = run("git", ["status", "--porcelain", "--untracked-files=no"]);
  return {
    cpus: availableParallelism(),
    cpuModel: cpuModel(),
    memoryGb: totalmem() / 1024 ** 3,
    loadAverageBefore: loadavg().map((value) => Math.round(value * 100) / 100),
    node: process.version,
    postgres: version.rows[0]!.server_version,
    pgbench: run(findPgbench(), ["--version"]),
    commit: dirty ? `${commit}+changes` : commit,
  };
}
