import pg from "pg";
import { readCpuSeconds } from "./server.js";

/** The `application_name` of the benchmark's own connections, left out of every measurement. */
export const BENCH_APPLICATION_NAME = "gp-bench";

/** Returns the URL with `application_name` set, which marks the benchmark's own connections. */
export function benchConnectionUrl(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("application_name", BENCH_APPLICATION_NAME);
  return parsed.toString();
}

export interface DatabaseCpuMeter {
  /** CPU seconds used by the measured backends since `start`. */
  stop(): Promise<number>;
}

/**
 * Meters the CPU time of the PostgreSQL backends serving one database, other
 * than the benchmark's own, from /proc/<pid>/stat (the server runs on this
 * machine). Backends are polled every 250 ms, so one that connects and exits
 * between two polls is missed; pools and pgbench keep theirs for the run.
 */
export async function startDatabaseCpuMeter(
  url: string,
): Promise<DatabaseCpuMeter> {
  const client = new pg.Client({ connectionString: benchConnectionUrl(url) });
  await client.connect();
  const baseline = new Map<number, number>();
  const latest = new Map<number, number>();
  const poll = async (first: boolean) => {
    const result = await client.query<{ pid: number }>(
      `select pid from pg_stat_activity
        where datname = current_database() and backend_type = 'client backend'
          and coalesce(application_name, '') <> $1`,
      [BENCH_APPLICATION_NAME],
    );
    for (const { pid } of result.rows) {
      const seconds = readCpuSeconds(pid);
      if (seconds === null) continue;
      if (!baseline.has(pid)) baseline.set(pid, first ? seconds : 0);
      latest.set(pid, seconds);
    }
  };
  await poll(true);
  let polling = Promise.resolve();
  const timer = setInterval(() => {
    polling = polling.then(() => poll(false)).catch(() => {});
  }, 250);
  return {
    async stop() {
      clearInterval(timer);
      await polling;
      await poll(false).catch(() => {});
      await client.end();
      let total = 0;
      for (const [pid, seconds] of latest) {
        total += seconds - (baseline.get(pid) ?? 0);
      }
      return total;
    },
  };
}
