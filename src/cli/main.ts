import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.js";
import { openDatabase } from "../db/client.js";
import { migrateDatabase } from "../db/migrate.js";
import type { Database } from "../db/client.js";
import { countOutbox, retryFailedMail } from "./mail.js";
import { addSphere, CliError, listSpheres, retireSphere } from "./spheres.js";

const USAGE = `Usage: npm run cli -- <command> [arguments]

Commands:
  migrate                       apply the database migrations and load the reference data
  spheres list [--all]          list the spheres offered in forms (--all adds retired ones)
  spheres add <code> <name>     add a sphere, or restore a retired one with this code
  spheres retire <code>         stop offering a sphere; records that use it keep it
  mail status                   count the outbox messages by status
  mail retry [id ...]           requeue failed messages (all of them without ids)
  operators                     list the platform operators from PLATFORM_OPERATORS
  config                        validate the environment and print the effective settings

The database is DATABASE_URL when set, otherwise PGlite in DATA_DIR (default ./data).
Stop the service before running commands against a PGlite folder: PGlite allows one process.`;

async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      all: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, subcommand, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig();

  if (command === "operators") {
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
    return 0;
  }
  if (command === "config") {
    const shown = {
      ...config,
      databaseUrl: config.databaseUrl?.replace(/\/\/[^@/]*@/, "//***@"),
      smtpUrl: config.smtpUrl?.replace(/\/\/[^@/]*@/, "//***@"),
    };
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    return 0;
  }
  if (command !== "migrate" && command !== "spheres" && command !== "mail") {
    throw new CliError(`Unknown command "${command}".\n\n${USAGE}`);
  }

  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
  });
  try {
    await migrateDatabase(database);
    if (command === "migrate") {
      process.stdout.write(`Migrations applied (${database.kind}).\n`);
      return 0;
    }
    if (command === "mail")
      return await runMailCommand(database.db, subcommand, rest);
    switch (subcommand) {
      case "list": {
        for (const sphere of await listSpheres(
          database.db,
          values.all ?? false,
        )) {
          const retired = sphere.retiredAt
            ? `\t(retired ${sphere.retiredAt.toISOString().slice(0, 10)})`
            : "";
          process.stdout.write(`${sphere.code}\t${sphere.name}${retired}\n`);
        }
        return 0;
      }
      case "add": {
        const [code, ...nameParts] = rest;
        if (!code || nameParts.length === 0) {
          throw new CliError(
            'spheres add needs a code and a name, e.g.: npm run cli -- spheres add archives "Архивное дело"',
          );
        }
        const outcome = await addSphere(database.db, code, nameParts.join(" "));
        process.stdout.write(`Sphere "${code}" ${outcome}.\n`);
        return 0;
      }
      case "retire": {
        const [code] = rest;
        if (!code)
          throw new CliError(
            "spheres retire needs a code, e.g.: npm run cli -- spheres retire test_gp",
          );
        const outcome = await retireSphere(database.db, code);
        process.stdout.write(`Sphere "${code}" ${outcome}.\n`);
        return 0;
      }
      default:
        throw new CliError(
          `Unknown spheres command "${subcommand ?? ""}": use list, add or retire.`,
        );
    }
  } finally {
    await database.close();
  }
}

async function runMailCommand(
  db: Database,
  subcommand: string | undefined,
  rest: string[],
): Promise<number> {
  if (subcommand === "status") {
    const counts = await countOutbox(db);
    process.stdout.write(
      `pending\t${counts.pending}\nsent\t${counts.sent}\nfailed\t${counts.failed}\n`,
    );
    return 0;
  }
  if (subcommand === "retry") {
    const bad = rest.filter((id) => !/^\d{1,15}$/.test(id));
    if (bad.length > 0)
      throw new CliError(
        `Outbox ids must be numbers; invalid: ${bad.join(", ")}`,
      );
    const count = await retryFailedMail(db, rest.map(Number));
    process.stdout.write(
      `${count} failed message(s) requeued; the mail worker sends them within seconds.\n`,
    );
    return 0;
  }
  throw new CliError(
    `Unknown mail command "${subcommand ?? ""}": use status or retry.`,
  );
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
