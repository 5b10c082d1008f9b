/**
 * Profiles of a scenario: a V8 CPU profile of the product under the load
 * (`node --cpu-prof`), and samples of the database backends' activity over
 * the same time (pg_stat_activity every 10 ms).
 */
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type { DatabaseHandle } from "../src/db/client.js";
import { benchConnectionUrl, BENCH_APPLICATION_NAME } from "./database-cpu.js";
import type { EditorialCabinet } from "./fixtures.js";
import { summarizeCpuProfile, type ProfileSummary } from "./profile.js";
import { LOG_DIR, log, WORK_DIR, type BenchSettings } from "./settings.js";
import {
  measure,
  type Plan,
  type ScenarioResult,
  type ScenarioSettings,
} from "./scenarios.js";
import { startProduct } from "./server.js";

export interface DatabaseSamples {
  /** Samples with at least one active backend of the product. */
  busySamples: number;
  samples: number;
  /** Share of active-backend samples per statement (first 160 characters). */
  statements: { statement: string; percent: number }[];
  /** Share of active-backend samples per wait event; `CPU` when not waiting. */
  waits: { wait: string; percent: number }[];
}

export interface ScenarioProfile {
  scenario: string;
  run: ScenarioResult;
  cpu: ProfileSummary;
  database: DatabaseSamples | null;
}

function topShares(map: Map<string, number>, total: number, count: number) {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, hits]) => ({
      key,
      percent: (100 * hits) / Math.max(total, 1),
    }));
}

/** Samples pg_stat_activity of the product's backends until stopped. */
async function sampleDatabase(url: string) {
  const client = new pg.Client({ connectionString: benchConnectionUrl(url) });
  await client.connect();
  const statements = new Map<string, number>();
  const waits = new Map<string, number>();
  let samples = 0;
  let busySamples = 0;
  let active = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const result = await client.query<{
        query: string;
        wait: string | null;
      }>(
        `select left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query,
                wait_event_type || ':' || wait_event as wait
           from pg_stat_activity
          where datname = current_database() and state = 'active'
            and backend_type = 'client backend'
            and coalesce(application_name, '') <> $1`,
        [BENCH_APPLICATION_NAME],
      );
      samples += 1;
      if (result.rows.length > 0) busySamples += 1;
      for (const row of result.rows) {
        active += 1;
        statements.set(row.query, (statements.get(row.query) ?? 0) + 1);
        const wait = row.wait ?? "CPU";
        waits.set(wait, (waits.get(wait) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return async (): Promise<DatabaseSamples> => {
    running = false;
    await loop;
    await client.end();
    return {
      samples,
      busySamples,
      statements: topShares(statements, active, 12).map(({ key, percent }) => ({
        statement: key,
        percent,
      })),
      waits: topShares(waits, active, 8).map(({ key, percent }) => ({
        wait: key,
        percent,
      })),
    };
  };
}

/**
 * Starts the product with `--cpu-prof`, warms it up for 5 s, runs the
 * scenario for the usual duration while sampling the database, stops the
 * product and summarizes the profile over the measured window.
 */
export async function profileScenario(
  env: Record<string, string>,
  settings: BenchSettings,
  makePlan: (scenario: ScenarioSettings) => Promise<Plan>,
  context: {
    handle: DatabaseHandle;
    cabinets: EditorialCabinet[];
    databaseUrl?: string;
  },
): Promise<ScenarioProfile> {
  const directory = join(WORK_DIR, "profiles");
  mkdirSync(directory, { recursive: true });
  const product = await startProduct({
    env,
    nodeFlags: ["--cpu-prof", "--cpu-prof-dir", directory],
    logFile: join(LOG_DIR, "product-profiled.log"),
  });
  const scenario: ScenarioSettings = {
    handle: context.handle,
    product,
    cabinets: context.cabinets,
    connections: settings.connections,
    duration: settings.duration,
    databaseUrl: context.databaseUrl,
    log,
  };
  let run: ScenarioResult;
  let database: DatabaseSamples | null = null;
  try {
    const warmUp = await makePlan(scenario);
    const warmUpName = warmUp.name.startsWith("warm-up")
      ? warmUp.name
      : `warm-up ${warmUp.name}`;
    await measure(scenario, { ...warmUp, name: warmUpName }, { duration: 5 });
    const plan = await makePlan(scenario);
    const stopSampling = context.databaseUrl
      ? await sampleDatabase(context.databaseUrl)
      : null;
    run = await measure(scenario, { ...plan, name: `profiled ${plan.name}` });
    if (stopSampling) database = await stopSampling();
  } finally {
    await product.stop();
  }
  const file = readdirSync(directory).find(
    (name) => name.includes(`.${product.pid}.`) && name.endsWith(".cpuprofile"),
  );
  if (!file) {
    throw new Error(
      `no CPU profile of pid ${product.pid} in ${directory}: did the product exit on SIGTERM?`,
    );
  }
  const cpu = summarizeCpuProfile(join(directory, file), {
    windowSeconds: settings.duration,
  });
  return { scenario: run.name.replace(/^profiled /, ""), run, cpu, database };
}
