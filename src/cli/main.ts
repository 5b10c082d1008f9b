import { parseArgs } from "node:util";
import { ConfigError, loadConfig, type Config } from "../config.js";
import { openDatabase } from "../db/client.js";
import { migrateDatabase } from "../db/migrate.js";
import type { Database } from "../db/client.js";
import { resolveCommand, USAGE } from "./commands.js";
import { countOutbox, retryFailedMail } from "./mail.js";
import {
  addSphere,
  CliError,
  listSpheres,
  renameSphere,
  retireSphere,
} from "./spheres.js";

async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      all: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const all = values.all ?? false;
  const { spec, args } = resolveCommand(positionals, all);
  const config = loadConfig();

  if (spec.name === "operators") {
    printOperators(config);
    return 0;
  }
  if (spec.name === "config") {
    const shown = {
      ...config,
      databaseUrl: config.databaseUrl?.replace(/\/\/[^@/]*@/, "//***@"),
      smtpUrl: config.smtpUrl?.replace(/\/\/[^@/]*@/, "//***@"),
    };
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    return 0;
  }

  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
  });
  try {
    await migrateDatabase(database);
    if (spec.name === "migrate") {
      process.stdout.write(`Migrations applied (${database.kind}).\n`);
      return 0;
    }
    return await runDatabaseCommand(database.db, spec.name, args, all);
  } finally {
    await database.close();
  }
}

function printOperators(config: Config) {
  if (config.platformOperators.length === 0) {
    process.stdout.write("No platform operators: set PLATFORM_OPERATORS.\n");
  }
  for (const operator of config.platformOperators) {
    const regions =
      operator.regions.length === 0
        ? "all regions"
        : operator.regions.join(", ");
    process.stdout.write(`${operator.oid}\t${regions}\n`);
  }
}

/** Runs a spheres or mail command after resolveCommand has checked its arguments. */
async function runDatabaseCommand(
  db: Database,
  command: string,
  args: string[],
  all: boolean,
): Promise<number> {
  const [code = "", name = ""] = args;
  switch (command) {
    case "spheres list": {
      for (const sphere of await listSpheres(db, all)) {
        const retired = sphere.retiredAt
          ? `\t(retired ${sphere.retiredAt.toISOString().slice(0, 10)})`
          : "";
        process.stdout.write(`${sphere.code}\t${sphere.name}${retired}\n`);
      }
      return 0;
    }
    case "spheres add": {
      const outcome = await addSphere(db, code, name);
      process.stdout.write(`Sphere "${code}" ${outcome}.\n`);
      return 0;
    }
    case "spheres rename": {
      const outcome = await renameSphere(db, code, name);
      process.stdout.write(`Sphere "${code}" ${outcome}.\n`);
      return 0;
    }
    case "spheres retire": {
      const outcome = await retireSphere(db, code);
      process.stdout.write(`Sphere "${code}" ${outcome}.\n`);
      return 0;
    }
    case "mail status": {
      const counts = await countOutbox(db);
      process.stdout.write(
        `pending\t${counts.pending}\nsent\t${counts.sent}\nfailed\t${counts.failed}\n`,
      );
      return 0;
    }
    case "mail retry":
      return await retryMail(db, args);
    default:
      throw new Error(`No handler for the command "${command}"`);
  }
}

/** Requeues failed mail; returns 1 when a given id was not requeued. */
async function retryMail(db: Database, args: string[]): Promise<number> {
  const invalid = args.filter((id) => !/^\d{1,15}$/.test(id));
  if (invalid.length > 0)
    throw new CliError(
      `Outbox ids must be numbers; invalid: ${invalid.join(", ")}`,
    );
  const { requeued, skipped } = await retryFailedMail(db, args.map(Number));
  process.stdout.write(
    `${requeued.length} failed message(s) requeued; the mail worker sends them within seconds.\n`,
  );
  for (const { id, status } of skipped) {
    const reason =
      status === null ? "not found" : `its status is ${status}, not failed`;
    process.stderr.write(`Outbox message ${id} was not requeued: ${reason}.\n`);
  }
  return skipped.length > 0 ? 1 : 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CliError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    if (
      error instanceof TypeError &&
      "code" in error &&
      String(error.code).startsWith("ERR_PARSE_ARGS")
    ) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `Command failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
