import { ConfigError, loadConfig, type Config } from "./config.js";
import { openDatabase, type DatabaseHandle } from "./db/client.js";
import { loadDemoData } from "./db/demo-data.js";
import { migrateDatabase } from "./db/migrate.js";
import { buildApp, LOG_REDACT, type App } from "./server/app.js";
import { setUpEsia, setUpMail, type Stoppable } from "./startup.js";
import { serializeError } from "./log-serializers.js";
import pino from "pino";

/** What has started so far, stopped in reverse order on shutdown or a failed start. */
const started: Stoppable[] = [];

/**
 * Maximum wait for one part to stop, in ms. The HTTP server waits for its
 * requests and the mail worker up to 10 s for the SMTP server, so 20 s
 * leaves both their time. A part that takes longer (e.g. a database pool
 * waiting for a connection that was never given back) must not keep the
 * process alive for good.
 */
const STOP_TIMEOUT_MS = 20_000;

/** Stops one part, or rejects after STOP_TIMEOUT_MS. */
async function stopWithTimeout(part: Stoppable): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not stop within ${STOP_TIMEOUT_MS} ms`)),
      STOP_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([part.stop(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Stops every started part in reverse order, each within STOP_TIMEOUT_MS, and
 * returns whether all stopped. A part that fails does not keep the others
 * from stopping. With a logger, each outcome is logged.
 */
async function stopStarted(logger?: pino.Logger): Promise<boolean> {
  let clean = true;
  for (const part of started.splice(0).reverse()) {
    try {
      await stopWithTimeout(part);
      logger?.info({ part: part.name }, "stopped");
    } catch (error) {
      clean = false;
      logger?.error({ err: error, part: part.name }, "stop failed");
    }
  }
  return clean;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `${error.message}\nSee .env.example and docs/configuration.md.\n`,
      );
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({
    level: config.logLevel,
    redact: LOG_REDACT,
    serializers: { err: serializeError },
  });
  let shuttingDown = false;

  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    const clean = await stopStarted(logger);
    process.exit(clean ? 0 : 1);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  // The simulator starts first: a bad fixture stops the start before the database is touched.
  const esia = await setUpEsia(config, logger);
  started.push(...esia.stoppables);

  let database: DatabaseHandle;
  try {
    database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.databasePoolSize,
      onConnectionError: (error) =>
        logger.warn(
          { code: error.code, reason: error.message },
          "PostgreSQL closed a pooled connection; a new one is opened when needed",
        ),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      config.databaseUrl
        ? `Start failed: cannot connect to DATABASE_URL (${reason}): check the host, port, credentials and that the database exists.\n`
        : `Start failed: cannot open the PGlite database in DATA_DIR=${config.dataDir} (${reason}): DATA_DIR must be a writable folder used by no other process.\n`,
    );
    await stopStarted();
    process.exit(2);
  }
  started.push({ name: "database", stop: () => database.close() });
  await migrateDatabase(database);
  logger.info({ database: database.kind }, "database migrated");
  if (config.demoData && (await loadDemoData(database.db))) {
    logger.info("demo cabinets «КР РОИВ» and «КР ОМСУ» loaded");
  }

  const mail = await setUpMail(config, database.db, logger);
  started.push(...mail.stoppables);

  const app: App = await buildApp({
    config,
    database,
    esia: esia.client,
    services: { mailWorker: mail.worker },
  });
  await app.listen({ port: config.port, host: config.host });
  // app.close() stops accepting connections and waits for in-flight requests.
  started.push({ name: "http server", stop: () => app.close() });

  logger.info(
    {
      url: `${config.publicUrl}/signin?app_name=ku`,
      database: database.kind,
      esia: esia.simulatorUrl ?? config.esia.baseUrl,
      mail: config.embedded.mail ? `${config.publicUrl}/mail` : "SMTP_URL",
    },
    "ПОС «Госпаблики» cabinet registration is ready",
  );
  if (esia.simulatorUrl && config.simulator.demo) printDemoAccounts(config);
}

/** Prints the demo accounts of the embedded simulator for the person at the terminal. */
function printDemoAccounts(config: Config): void {
  process.stdout.write(
    [
      "",
      `  Open ${config.publicUrl}/signin?app_name=ku and sign in with a demo account`,
      "  (password for all: demo-password; the full list is in docs/esia.md):",
      "    +7(900)0000002  applicant, subordinate organization of the РОИВ (work cabinet → «КР РОИВ»)",
      "    +7(900)0000001  chief of the РОИВ, reviewer of «КР РОИВ»",
      "    +7(900)0000005  platform operator",
      config.embedded.mail
        ? `  Mail sent by the product: ${config.publicUrl}/mail`
        : "  Mail goes to the SMTP server of SMTP_URL.",
      "",
    ].join("\n") + "\n",
  );
}

main().catch(async (error: unknown) => {
  await stopStarted();
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE" || code === "EACCES") {
    const address = (error as { address?: string; port?: number }).port;
    process.stderr.write(
      `Start failed: port ${address} is ${code === "EADDRINUSE" ? "already in use" : "not allowed"}. Stop the other process, or set PORT, ESIA_SIMULATOR_PORT or MAIL_CATCHER_PORT (whichever is ${address}) to a free port.\n`,
    );
    process.exit(2);
  }
  // Matched by name: importing FixtureError would load the ESIA simulator,
  // which a deployment with ESIA_BASE_URL does not run.
  if (error instanceof Error && error.name === "FixtureError") {
    process.stderr.write(
      `Start failed: ${error.message}\nFix the fixture file or remove it from ESIA_SIMULATOR_FIXTURES.\n`,
    );
    process.exit(2);
  }
  process.stderr.write(
    `Start failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
