/**
 * The PGlite part: the embedded default (PGlite in DATA_DIR, the embedded
 * mail catcher and ESIA simulator) measured for submits per second. PGlite
 * allows one process per data folder, so the data set and all signed-in
 * users are written before the product starts.
 */
import { join } from "node:path";
import type { DatabaseHandle } from "../src/db/client.js";
import { openMigratedPglite, pgliteRunner } from "./databases.js";
import { loadEditorialCabinets } from "./fixtures.js";
import { generateDataset, scaledSizes, type DatasetSizes } from "./generate.js";
import { countRows, withNewPort } from "./postgres.js";
import { profileScenario, type ScenarioProfile } from "./profiling.js";
import { LOG_DIR, log, WORK_DIR, type BenchSettings } from "./settings.js";
import {
  measure,
  planSubmit,
  type Plan,
  type ScenarioResult,
  type ScenarioSettings,
} from "./scenarios.js";
import { freePort, startProduct } from "./server.js";
import { TARGETS } from "./targets.js";

export interface PgliteResults {
  sizes: DatasetSizes;
  generationSeconds: number;
  rowCounts: Record<string, number>;
  submit: ScenarioResult;
  /** The kernel's RSS high-water mark over the product's whole life, MB. */
  highWaterMarkMb: number;
  profile: ScenarioProfile | null;
}

/**
 * Submits per second the request pools are sized for: four times the target,
 * and about twice the rate of the prepared-statement runner's first run.
 */
const POOL_RATE = 1200;

async function productEnv(dataDir: string): Promise<Record<string, string>> {
  return {
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
    ESIA_SIMULATOR_PORT: String(await freePort()),
    MAIL_CATCHER_PORT: String(await freePort()),
  };
}

/** Returns a function that hands out the pool's requests in slices of `count`, one slice per call. */
function sequential(plan: Plan, count: number, name: string) {
  let offset = 0;
  return (): Plan => {
    const start = offset;
    offset += count;
    return {
      name,
      request: (index) => plan.request(start + index),
      available: Math.max(0, Math.min(count, (plan.available ?? 0) - start)),
    };
  };
}

export async function measurePglite(
  settings: BenchSettings,
): Promise<PgliteResults> {
  const dataDir = join(WORK_DIR, "pglite-data");
  const sizes = scaledSizes(settings.pgliteScale);
  log(`PGlite: generating scale ${settings.pgliteScale} in ${dataDir}`);
  const handle: DatabaseHandle = await openMigratedPglite(dataDir);
  let rowCounts: Record<string, number>;
  let generationSeconds: number;
  const warmCount = POOL_RATE * 5;
  const runCount = POOL_RATE * settings.duration;
  const perRun = warmCount + runCount;
  let pool: Plan;
  try {
    const started = Date.now();
    await generateDataset([pgliteRunner(handle)], sizes, (message) =>
      log(`  ${message}`),
    );
    generationSeconds = (Date.now() - started) / 1000;
    log(`PGlite: data set generated in ${generationSeconds.toFixed(0)} s`);
    rowCounts = await countRows(handle);
    const cabinets = await loadEditorialCabinets(handle);
    const preparing: ScenarioSettings = {
      handle,
      product: null as never,
      cabinets,
      connections: settings.connections,
      duration: settings.duration,
      log,
    };
    // Two measured runs at most: the plain one and a profiled one.
    pool = await planSubmit(preparing, "submit (PGlite)", 2 * perRun);
  } finally {
    await handle.close();
  }
  const next = sequential(pool, perRun, "submit (PGlite)");
  const split = (plan: Plan): [Plan, Plan] => [
    {
      name: `warm-up ${plan.name}`,
      request: plan.request,
      available: Math.min(warmCount, plan.available ?? 0),
    },
    {
      name: plan.name,
      request: (index) => plan.request(warmCount + index),
      available: Math.max(0, (plan.available ?? 0) - warmCount),
    },
  ];

  const env = await productEnv(dataDir);
  const product = await startProduct({
    env,
    logFile: join(LOG_DIR, "product-pglite.log"),
  });
  log(`PGlite product started (pid ${product.pid})`);
  const scenario: ScenarioSettings = {
    handle: null as never,
    product,
    cabinets: [],
    connections: settings.connections,
    duration: settings.duration,
    log,
  };
  let submit: ScenarioResult;
  try {
    const [warm, measured] = split(next());
    await measure(scenario, warm, { duration: 5 });
    submit = await measure(scenario, measured);
  } finally {
    await product.stop();
  }
  const highWaterMarkMb = (product.highWaterMarkKb() ?? 0) / 1024;

  let profile: ScenarioProfile | null = null;
  const missed = submit.rps < TARGETS.pgliteSubmitsPerSecond;
  if (
    settings.profile === "always" ||
    (settings.profile === "missed" && missed)
  ) {
    log("PGlite: CPU profile of submit");
    const plans = split(next());
    let call = 0;
    profile = await profileScenario(
      await withNewPort(env),
      settings,
      async () => plans[call++]!,
      { handle: null as never, cabinets: [] },
    );
  }
  return {
    sizes,
    generationSeconds,
    rowCounts,
    submit,
    highWaterMarkMb,
    profile,
  };
}
