/**
 * The PostgreSQL part of the benchmark: a fresh database with the generated
 * data set, the product against it over HTTP, pgbench running the SQL of one
 * submit at the same concurrency, and CPU profiles where a target is missed.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase, type DatabaseHandle } from "../src/db/client.js";
import { benchConnectionUrl, startDatabaseCpuMeter } from "./database-cpu.js";
import {
  connectBulkLoader,
  createDatabase,
  dropDatabase,
  openMigratedPostgres,
  queryAll,
} from "./databases.js";
import { loadEditorialCabinets, type EditorialCabinet } from "./fixtures.js";
import {
  generateDataset,
  IDS,
  scaledSizes,
  type DatasetSizes,
} from "./generate.js";
import { runPgbench, type PgbenchResult } from "./pgbench.js";
import { profileScenario, type ScenarioProfile } from "./profiling.js";
import { LOG_DIR, log, type BenchSettings } from "./settings.js";
import {
  measure,
  planDecisions,
  planEditorialSearch,
  planQueue,
  planSubmit,
  submitPoolSize,
  type Plan,
  type ScenarioResult,
  type ScenarioSettings,
} from "./scenarios.js";
import { freePort, startProduct, type ProductProcess } from "./server.js";
import { startSmtpSink } from "./smtp-sink.js";
import { startExternalEsia, type ExternalEsia } from "./esia.js";
import { TARGETS } from "./targets.js";

const SUBMIT_SCRIPT = fileURLToPath(
  new URL("./submit.pgbench.sql", import.meta.url),
);

/** Editorial cabinets whose queues feed the approve and reject runs. */
const DECISION_CABINETS = 200;

export interface PostgresResults {
  sizes: DatasetSizes;
  generationSeconds: number;
  rowCounts: Record<string, number>;
  databaseSizeMb: number;
  queueSizes: { reviewerSubmitted: number; allSubmitted: number };
  scenarios: ScenarioResult[];
  curve: ScenarioResult[];
  pgbench: Omit<PgbenchResult, "output"> & {
    /** CPU time of the PostgreSQL backends per transaction, ms. */
    databaseCpuMsPerTransaction: number;
  };
  /** Successful HTTP submits per second divided by pgbench transactions per second. */
  submitRatio: number;
  /** Highest RSS sampled during any measured run, MB. */
  peakRssMb: number;
  /** The kernel's RSS high-water mark over the product's whole life, MB. */
  highWaterMarkMb: number;
  mailsReceived: number;
  profiles: ScenarioProfile[];
}

const COUNTED_TABLES = [
  "organizations",
  "persons",
  "cabinets",
  "applications",
  "application_revisions",
  "revision_spheres",
  "application_decisions",
  "name_claims",
  "audit_events",
];

export async function countRows(
  handle: DatabaseHandle,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of COUNTED_TABLES) {
    const [row] = await queryAll<{ count: number }>(
      handle,
      `select count(*)::int as count from ${table}`,
    );
    counts[table] = row!.count;
  }
  return counts;
}

/**
 * Environment of the product under test, configured as in production:
 * PostgreSQL, an SMTP server and an external ESIA (the benchmark's own
 * simulator), so it starts neither the simulator nor the mail catcher.
 */
export async function productEnv(
  url: string,
  smtpUrl: string,
  esiaEnv: Record<string, string>,
  port: number,
): Promise<Record<string, string>> {
  return {
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: url,
    LOG_LEVEL: "warn",
    DEMO_DATA: "false",
    NODE_ENV: "production",
    PLATFORM_OPERATORS: IDS.operatorOid,
    SMTP_URL: smtpUrl,
    ...esiaEnv,
  };
}

/** Returns the environment with a new free port (and the public URL on it). */
export async function withNewPort(
  env: Record<string, string>,
): Promise<Record<string, string>> {
  const port = await freePort();
  return {
    ...env,
    PORT: String(port),
    ...(env.PUBLIC_URL ? { PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
  };
}

/**
 * Waits until the outbox worker has sent the mail of earlier runs, so that
 * its backlog does not load the next run. Gives up after `maxSeconds`.
 */
export async function waitForOutbox(
  handle: DatabaseHandle,
  maxSeconds: number,
): Promise<number> {
  const deadline = Date.now() + maxSeconds * 1000;
  for (;;) {
    const [row] = await queryAll<{ pending: number }>(
      handle,
      `select count(*)::int as pending from mail_outbox where status = 'pending'`,
    );
    const pending = row!.pending;
    if (pending === 0 || Date.now() > deadline) {
      if (pending > 0) {
        log(`  ${pending} mails still pending after ${maxSeconds} s; going on`);
      }
      return pending;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function generate(settings: BenchSettings, url: string) {
  const sizes = scaledSizes(settings.scale);
  const migrated = await openMigratedPostgres(url);
  await migrated.close();
  const loaders = [await connectBulkLoader(url), await connectBulkLoader(url)];
  const started = Date.now();
  try {
    await generateDataset(
      loaders.map((loader) => loader.run),
      sizes,
      (message) => log(`  ${message}`),
    );
  } finally {
    for (const loader of loaders) await loader.close();
  }
  return { sizes, generationSeconds: (Date.now() - started) / 1000 };
}

export async function measurePostgres(
  settings: BenchSettings,
): Promise<PostgresResults> {
  log(`PostgreSQL: creating database ${settings.database}`);
  const url = await createDatabase(settings.database);
  const { sizes, generationSeconds } = await generate(settings, url);
  log(`PostgreSQL: data set generated in ${generationSeconds.toFixed(0)} s`);

  const handle = await openDatabase({
    databaseUrl: benchConnectionUrl(url),
    dataDir: "unused",
    poolSize: 2,
  });
  const sink = await startSmtpSink();
  let esia: ExternalEsia | null = null;
  let product: ProductProcess | null = null;
  try {
    const rowCounts = await countRows(handle);
    const [size] = await queryAll<{ mb: number }>(
      handle,
      `select (pg_database_size(current_database()) / 1048576)::int as mb`,
    );
    const queueSizes = await measureQueueSizes(handle);
    const cabinets = await loadEditorialCabinets(handle);

    const port = await freePort();
    esia = await startExternalEsia(`http://127.0.0.1:${port}`);
    const env = await productEnv(url, sink.url, esia.env, port);
    product = await startProduct({
      env,
      logFile: join(LOG_DIR, "product-postgres.log"),
    });
    log(`product started (pid ${product.pid}) at ${product.url}`);
    const scenario: ScenarioSettings = {
      handle,
      product,
      cabinets,
      connections: settings.connections,
      duration: settings.duration,
      databaseUrl: url,
      log,
    };

    const runs = await runScenarios(scenario, settings, queueSizes);
    await product.stop();
    const highWaterMarkMb = (product.highWaterMarkKb() ?? 0) / 1024;
    product = null;

    log(`pgbench: ${settings.connections} clients, ${settings.duration} s`);
    const meter = await startDatabaseCpuMeter(url);
    const { output: _output, ...raw } = await runPgbench({
      url,
      script: SUBMIT_SCRIPT,
      clients: settings.connections,
      duration: settings.duration,
      variables: { editorials: sizes.editorialCabinets },
    });
    const databaseSeconds = await meter.stop();
    await queryAll(
      handle,
      `update mail_outbox set status = 'sent', sent_at = now()
        where status = 'pending' and to_address like '%@pgbench.example'`,
    );
    const pgbench = {
      ...raw,
      databaseCpuMsPerTransaction:
        (1000 * databaseSeconds) / Math.max(raw.transactions, 1),
    };
    log(
      `pgbench: ${pgbench.tps.toFixed(0)} tps, p50 ${pgbench.p50.toFixed(1)} ms, p99 ${pgbench.p99.toFixed(1)} ms, failed ${pgbench.failed}, database CPU ${pgbench.databaseCpuMsPerTransaction.toFixed(2)} ms/transaction`,
    );
    const submit = runs.scenarios.find((run) => run.name === "submit")!;
    const submitRatio = submit.rps / pgbench.tps;

    const measured = [...runs.scenarios, ...runs.curve];
    const results: PostgresResults = {
      sizes,
      generationSeconds,
      rowCounts,
      databaseSizeMb: size!.mb,
      queueSizes,
      scenarios: runs.scenarios,
      curve: runs.curve,
      pgbench,
      submitRatio,
      peakRssMb: Math.max(...measured.map((run) => run.peakRssMb)),
      highWaterMarkMb,
      mailsReceived: sink.received(),
      profiles: [],
    };
    results.profiles = await profileMissed(settings, results, {
      env,
      handle,
      cabinets,
      queueSizes,
      url,
    });
    return results;
  } finally {
    if (product) await product.stop();
    if (esia) await esia.close();
    await sink.close();
    await handle.close();
    if (!settings.keepDatabase) await dropDatabase(settings.database);
  }
}

async function measureQueueSizes(handle: DatabaseHandle) {
  const [row] = await queryAll<{ reviewer: number; all: number }>(
    handle,
    `select count(*) filter (where editorial_cabinet_id = 'c0000000-0000-4000-8000-000000000001')::int as reviewer,
            count(*)::int as all
       from applications where state = 'submitted'`,
  );
  return { reviewerSubmitted: row!.reviewer, allSubmitted: row!.all };
}

/** Queue depths of the deep-page runs: far into each queue, within its size. */
function queueDepths(sizes: {
  reviewerSubmitted: number;
  allSubmitted: number;
}) {
  const round = (value: number) => Math.max(100, Math.floor(value / 100) * 100);
  return {
    reviewer: round(Math.min(5_000, sizes.reviewerSubmitted * 0.6)),
    operator: round(Math.min(20_000, sizes.allSubmitted * 0.5)),
  };
}

/** Mail waiting in the outbox, so each run records the worker's backlog. */
async function pendingMail(handle: DatabaseHandle): Promise<number> {
  const [row] = await queryAll<{ pending: number }>(
    handle,
    `select count(*)::int as pending from mail_outbox where status = 'pending'`,
  );
  return row!.pending;
}

/**
 * Runs the scenarios, read-only ones first, while the queues are as
 * generated and no mail is pending. Approve and reject follow, with one mail
 * each, then submit and its curve, with two mails each.
 * NOTE: under a full submit load the outbox worker sends mail more slowly
 * than submits create it, because it shares the CPU with the requests. From
 * the first submit run on it drains a backlog in the background, as after a
 * real rush, and each run records the backlog it started with.
 */
async function runScenarios(
  scenario: ScenarioSettings,
  settings: BenchSettings,
  queueSizes: { reviewerSubmitted: number; allSubmitted: number },
) {
  const { handle } = scenario;
  const run = async (
    plan: Plan,
    options: { connections?: number; duration?: number; rate?: number } = {},
  ) => {
    const pendingMailBefore = await pendingMail(handle);
    return { ...(await measure(scenario, plan, options)), pendingMailBefore };
  };

  log("warm-up: submit, queue and search, 5 s each");
  const warmSubmit = await measure(
    scenario,
    await planSubmit(scenario, "warm-up submit", submitPoolSize(1000, 5)),
    { duration: 5 },
  );
  const queuePlans = await planQueue(scenario, queueDepths(queueSizes));
  const searchPlan = await planEditorialSearch(scenario);
  for (const plan of [queuePlans[0]!, queuePlans[3]!, searchPlan]) {
    await measure(
      scenario,
      { ...plan, name: `warm-up ${plan.name}` },
      { duration: 5 },
    );
  }
  await waitForOutbox(handle, 120);

  const scenarios: ScenarioResult[] = [];
  // Reads twice: at a fixed rate, the load the latency targets apply to,
  // then as fast as the product responds, for throughput.
  for (const plan of [...queuePlans, searchPlan]) {
    scenarios.push(await run(plan, { rate: settings.readRate }));
  }
  for (const plan of [...queuePlans, searchPlan]) {
    scenarios.push(await run(plan));
  }
  for (const plan of await planDecisions(scenario, DECISION_CABINETS)) {
    scenarios.push(await run(plan));
    await waitForOutbox(handle, 30);
  }
  const submitPlan = await planSubmit(
    scenario,
    "submit",
    submitPoolSize(warmSubmit.rps, settings.duration),
  );
  scenarios.push(await run(submitPlan));

  log(`latency curve of submit: ${settings.curve.join(", ")} connections`);
  const curve: ScenarioResult[] = [];
  let rate = Math.max(warmSubmit.rps, scenarios.at(-1)!.rps);
  for (const connections of settings.curve) {
    const plan = await planSubmit(
      scenario,
      "submit",
      submitPoolSize(rate * 1.5, settings.curveDuration),
    );
    const point = await run(plan, {
      connections,
      duration: settings.curveDuration,
    });
    curve.push(point);
    rate = Math.max(rate, point.rps);
  }
  return { scenarios, curve };
}

/**
 * Returns the scenarios to profile among those that miss their targets:
 * submit, the slowest queue page, the slowest queue search, and the
 * editorial-cabinet search. Reads are judged by their fixed-rate runs, and
 * one queue run of each kind stands for the others, which share its SQL.
 */
function missedScenarios(results: PostgresResults): string[] {
  const missed: string[] = [];
  if (results.submitRatio < TARGETS.submitRatio) missed.push("submit");
  const reads = results.scenarios.filter((run) => run.rate !== null);
  const slowest = (runs: ScenarioResult[]) =>
    runs
      .filter((run) => run.p99 > TARGETS.readP99Ms)
      .sort((a, b) => b.p99 - a.p99)[0];
  const queue = reads.filter((run) => run.name.startsWith("queue"));
  const page = slowest(queue.filter((run) => !run.name.includes("search")));
  const search = slowest(queue.filter((run) => run.name.includes("search")));
  const editorial = slowest(
    reads.filter((run) => run.name === "editorial-cabinet search"),
  );
  for (const run of [page, search, editorial]) {
    if (run) missed.push(run.name);
  }
  return missed;
}

async function profileMissed(
  settings: BenchSettings,
  results: PostgresResults,
  context: {
    env: Record<string, string>;
    handle: DatabaseHandle;
    cabinets: EditorialCabinet[];
    queueSizes: { reviewerSubmitted: number; allSubmitted: number };
    url: string;
  },
): Promise<ScenarioProfile[]> {
  const { env, handle, cabinets, queueSizes, url } = context;
  if (settings.profile === "never") return [];
  const names =
    settings.profile === "always"
      ? ["submit", "queue, first page (operator)"]
      : missedScenarios(results);
  if (names.length === 0) return [];
  log(`CPU profiles: ${names.join("; ")}`);
  const profiles: ScenarioProfile[] = [];
  for (const name of names) {
    // The measured read runs started with an empty outbox, and so does each
    // profiled run. The mail is the benchmark's own, to generated addresses.
    await queryAll(
      handle,
      `update mail_outbox set status = 'sent', sent_at = now() where status = 'pending'`,
    );
    profiles.push(
      await profileScenario(
        await withNewPort(env),
        settings,
        async (scenario) => {
          const submitRun = results.scenarios.find(
            (run) => run.name === "submit",
          )!;
          if (name === "submit") {
            return planSubmit(
              scenario,
              "submit",
              submitPoolSize(submitRun.rps, settings.duration),
            );
          }
          const plans: Plan[] = name.startsWith("queue")
            ? await planQueue(scenario, queueDepths(queueSizes))
            : [await planEditorialSearch(scenario)];
          const plan = plans.find((candidate) => candidate.name === name);
          if (!plan) throw new Error(`no plan named "${name}" to profile`);
          return plan;
        },
        { handle, cabinets, databaseUrl: url },
      ),
    );
  }
  return profiles;
}
