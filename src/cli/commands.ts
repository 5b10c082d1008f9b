import { CliError } from "./spheres.js";

/** One operator command, its positional arguments and its help line. */
export interface CommandSpec {
  /** The command words, e.g. "spheres add". */
  name: string;
  /** The arguments as the usage shows them, e.g. "<code> <name>". */
  synopsis: string;
  description: string;
  minArguments: number;
  /** The maximum number of positional arguments, or Infinity for a list of ids. */
  maxArguments: number;
  /** Whether the --all option applies to this command. */
  acceptsAll?: boolean;
  /** A complete command line, shown with usage errors. */
  example?: string;
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "migrate",
    synopsis: "",
    description: "apply the database migrations and load the reference data",
    minArguments: 0,
    maxArguments: 0,
  },
  {
    name: "spheres list",
    synopsis: "[--all]",
    description: "list the spheres offered in forms (--all adds retired ones)",
    minArguments: 0,
    maxArguments: 0,
    acceptsAll: true,
  },
  {
    name: "spheres add",
    synopsis: "<code> <name>",
    description:
      "add a sphere, or restore a retired one with this code under <name>",
    minArguments: 2,
    maxArguments: 2,
    example: 'npm run cli -- spheres add archives "Архивное дело"',
  },
  {
    name: "spheres rename",
    synopsis: "<code> <name>",
    description:
      "change the name of an existing sphere; records refer to it by code",
    minArguments: 2,
    maxArguments: 2,
    example: 'npm run cli -- spheres rename archives "Архивы"',
  },
  {
    name: "spheres retire",
    synopsis: "<code>",
    description: "stop offering a sphere; records that use it keep it",
    minArguments: 1,
    maxArguments: 1,
    example: "npm run cli -- spheres retire test_gp",
  },
  {
    name: "mail status",
    synopsis: "",
    description: "count the outbox messages by status",
    minArguments: 0,
    maxArguments: 0,
  },
  {
    name: "mail retry",
    synopsis: "[id ...]",
    description: "requeue failed messages (all of them without ids)",
    minArguments: 0,
    maxArguments: Infinity,
  },
  {
    name: "operators",
    synopsis: "",
    description: "list the platform operators from PLATFORM_OPERATORS",
    minArguments: 0,
    maxArguments: 0,
  },
  {
    name: "config",
    synopsis: "",
    description: "validate the environment and print the effective settings",
    minArguments: 0,
    maxArguments: 0,
  },
];

const DESCRIPTION_COLUMN = 30;

function formatHelpLine(spec: CommandSpec): string {
  const command = `${spec.name} ${spec.synopsis}`.trim();
  return `  ${command.padEnd(DESCRIPTION_COLUMN - 1)} ${spec.description}`;
}

function formatUsage(spec: CommandSpec): string {
  const lines = [`Usage: npm run cli -- ${spec.name} ${spec.synopsis}`.trim()];
  if (spec.example) lines.push(`Example: ${spec.example}`);
  return lines.join("\n");
}

export const USAGE = `Usage: npm run cli -- <command> [arguments]

Commands:
${COMMANDS.map(formatHelpLine).join("\n")}

The database is DATABASE_URL when set, otherwise PGlite in DATA_DIR (default ./data).
Stop the service before running commands against a PGlite folder: PGlite allows one process.`;

function quoteList(values: string[]): string {
  return values.map((value) => `"${value}"`).join(", ");
}

/** Joins words as "a, b or c". */
function joinAlternatives(words: string[]): string {
  if (words.length < 2) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

/** Lists the commands of a group such as "spheres", or none for another word. */
function findSubcommands(group: string): CommandSpec[] {
  return COMMANDS.filter((spec) => spec.name.startsWith(`${group} `));
}

function rejectSubcommand(
  group: string,
  subcommand: string | undefined,
): never {
  const subcommands = findSubcommands(group);
  const names = subcommands.map((spec) => spec.name.slice(group.length + 1));
  const problem =
    subcommand === undefined
      ? `Missing ${group} command`
      : `Unknown ${group} command "${subcommand}"`;
  throw new CliError(
    `${problem}: use ${joinAlternatives(names)}.\n\n${subcommands.map(formatHelpLine).join("\n")}`,
  );
}

/**
 * Finds the command that the positional arguments name and checks its
 * arguments and the --all option. Throws a CliError with the usage otherwise.
 */
export function resolveCommand(
  positionals: string[],
  all: boolean,
): { spec: CommandSpec; args: string[] } {
  const [group = "", ...afterGroup] = positionals;
  let spec = COMMANDS.find((candidate) => candidate.name === group);
  let args = afterGroup;
  if (!spec) {
    if (findSubcommands(group).length === 0) {
      throw new CliError(`Unknown command "${group}".\n\n${USAGE}`);
    }
    const [subcommand, ...afterSubcommand] = afterGroup;
    spec = COMMANDS.find(
      (candidate) => candidate.name === `${group} ${subcommand}`,
    );
    if (!spec) rejectSubcommand(group, subcommand);
    args = afterSubcommand;
  }

  if (args.length > spec.maxArguments) {
    const extra = args.slice(spec.maxArguments);
    const noun = extra.length === 1 ? "argument" : "arguments";
    throw new CliError(
      `Unexpected ${noun} ${quoteList(extra)} for ${spec.name}.\n\n${formatUsage(spec)}`,
    );
  }
  if (args.length < spec.minArguments) {
    // A command with required arguments has only those in its synopsis, so
    // the synopsis words past the given arguments are the missing ones.
    const missing = spec.synopsis
      .split(" ")
      .slice(args.length, spec.minArguments);
    const noun = missing.length === 1 ? "argument" : "arguments";
    throw new CliError(
      `Missing ${noun} ${missing.join(" ")} for ${spec.name}.\n\n${formatUsage(spec)}`,
    );
  }
  if (all && !spec.acceptsAll) {
    throw new CliError(
      `The --all option applies only to spheres list, not to ${spec.name}.`,
    );
  }
  return { spec, args };
}
