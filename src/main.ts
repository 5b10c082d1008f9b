import { ConfigError, loadConfig, type Config } from "./config.js";
import { openDatabase, type DatabaseHandle } from "./db/client.js";
import { loadDemoData } from "./db/demo-data.js";
import { migrateDatabase } from "./db/migrate.js";
import { buildApp, type App } from "./server/app.js";
import pino from "pino";

/** Something main.ts started and must stop on shutdown, in reverse order. */
interface Stoppable {
  name: string;
  stop(): Promise<void>;
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
  const logger = pino({ level: config.logLevel });
  const started: Stoppable[] = [];
  let shuttingDown = false;

  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    for (const part of started.reverse()) {
      try {
        await part.stop();
        logger.info({ part: part.name }, "stopped");
      } catch (error) {
        logger.error({ err: error, part: part.name }, "stop failed");
      }
    }
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  let database: DatabaseHandle;
  try {
    database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.databasePoolSize,
    });
  } catch (error) {
    logger.fatal(
      { err: error },
      config.databaseUrl
        ? "cannot connect to DATABASE_URL: check the host, port, credentials and that the database exists"
        : `cannot open the PGlite database in DATA_DIR=${config.dataDir}: check that the folder is writable and not used by another process`,
    );
    process.exit(1);
  }
  started.push({ name: "database", stop: () => database.close() });
  await migrateDatabase(database);
  logger.info({ database: database.kind }, "database migrated");
  if (config.demoData && (await loadDemoData(database.db))) {
    logger.info("demo cabinets «КР РОИВ» and «КР ОМСУ» loaded");
  }

  const app: App = await buildApp({ config, database });
  await app.listen({ port: config.port, host: config.host });
  // app.close() stops accepting connections and waits for in-flight requests.
  started.push({ name: "http server", stop: () => app.close() });

  logger.info(
    { url: config.publicUrl, database: database.kind },
    "ПОС «Госпаблики» cabinet registration is ready",
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Start failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
