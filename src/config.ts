import { existsSync } from "node:fs";
import { isIP } from "node:net";
import { z } from "zod";
import { isValidEmail } from "./domain/email.js";
import { isRegionCode } from "./domain/regions.js";

/** A platform operator: an ESIA person oid, limited to regions or not. */
export interface PlatformOperator {
  oid: string;
  /** Region codes; empty means every region. */
  regions: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

const booleanText = z
  .enum(["true", "false"])
  .transform((value) => value === "true");

const port = z.coerce.number().int().min(0).max(65535);

const url = z.string().refine((value) => {
  try {
    const parsed = new URL(value);
    return parsed.protocol === "http:" || parsed.protocol === "https:";
  } catch {
    return false;
  }
});

/** Each variable with its parser and the expected form named in errors. */
const VARIABLES = {
  PORT: { schema: port, expected: "a port number 0–65535", fallback: "3000" },
  HOST: {
    schema: z
      .string()
      .refine((value) => value === "localhost" || isIP(value) !== 0),
    expected:
      "an IP address of this machine to listen on, such as 127.0.0.1, 0.0.0.0 or ::",
    fallback: "127.0.0.1",
  },
  TRUST_PROXY: {
    schema: z.string().refine(isTrustProxy).transform(parseTrustProxy),
    expected:
      "false, true (trust every sender: only when the proxy is the sole way in), or comma-separated proxy addresses or CIDR ranges such as 10.0.0.0/8,127.0.0.1",
    fallback: "false",
  },
  PUBLIC_URL: {
    schema: url,
    expected:
      "an absolute http(s) URL without a trailing path, e.g. https://gp.example.ru",
    fallback: undefined,
  },
  DATA_DIR: {
    schema: z.string().min(1),
    expected: "a folder path",
    fallback: "./data",
  },
  DATABASE_URL: {
    schema: z.string().regex(/^postgres(ql)?:\/\//),
    expected:
      "a PostgreSQL URL such as postgres://user:password@host:5432/dbname",
    fallback: undefined,
  },
  DATABASE_POOL_SIZE: {
    schema: z.coerce.number().int().min(1).max(500),
    expected: "an integer 1–500",
    fallback: "10",
  },
  ESIA_BASE_URL: {
    schema: url,
    expected: "the ESIA base URL, e.g. https://esia.gosuslugi.ru",
    fallback: undefined,
  },
  ESIA_CLIENT_ID: {
    schema: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    expected: "the system mnemonic registered in ESIA, e.g. MNSV36",
    fallback: "MNSV36",
  },
  ESIA_PRIVATE_KEY_FILE: {
    schema: z.string().min(1),
    expected: "a path to a PEM private key file",
    fallback: undefined,
  },
  ESIA_SIGNER_COMMAND: {
    schema: z.string().min(1),
    expected:
      "a command that reads data on stdin and writes the raw signature to stdout",
    fallback: undefined,
  },
  ESIA_CERTIFICATE_HASH: {
    schema: z.string().regex(/^[0-9A-Fa-f]{64}$/),
    expected:
      "64 hexadecimal characters (GOST R 34.11-2012-256 of the certificate)",
    fallback: undefined,
  },
  ESIA_VERIFY_CERTIFICATES: {
    schema: z.string().min(1),
    expected:
      "comma-separated paths to PEM certificates or public keys of ESIA",
    fallback: undefined,
  },
  ESIA_ISSUER: {
    schema: z.string().min(1),
    expected: "the token issuer, e.g. http://esia.gosuslugi.ru/",
    fallback: undefined,
  },
  ESIA_SIMULATOR_PORT: {
    schema: port,
    expected: "a port number 0–65535",
    fallback: "3001",
  },
  ESIA_SIMULATOR_DEMO: {
    schema: booleanText,
    expected: "true or false",
    fallback: "true",
  },
  ESIA_SIMULATOR_FIXTURES: {
    schema: z.string(),
    expected: "comma-separated paths to fixture JSON files",
    fallback: "",
  },
  ESIA_GROUP_WORK: {
    schema: z.string().min(1),
    expected: "the ESIA group id of «ПОС. Госпаблики. Кабинет учреждения»",
    fallback: "POS_GP_WORK",
  },
  ESIA_GROUP_EDITORIAL: {
    schema: z.string().min(1),
    expected: "the ESIA group id of «ПОС. Госпаблики. Кабинет редакции»",
    fallback: "POS_GP_EDITORIAL",
  },
  PLATFORM_OPERATORS: {
    schema: z.string(),
    expected:
      "';'-separated ESIA oids, each optionally followed by ':' and comma-separated region codes, e.g. 1000000005;1000000006:78,47",
    fallback: undefined,
  },
  PLATFORM_OPERATORS_MAIL: {
    schema: z.string().min(3),
    expected:
      "comma-separated e-mail addresses of the platform operators' mailbox, e.g. operators@example.ru",
    fallback: undefined,
  },
  SMTP_URL: {
    schema: z.string().regex(/^smtps?:\/\/.+/),
    expected: "smtp://user:password@host:port or smtps://…",
    fallback: undefined,
  },
  MAIL_FROM: {
    schema: z.string().refine(isMailFrom),
    expected: "a sender such as «Госпаблики» <noreply@example.ru>",
    fallback: "Госпаблики <noreply@gospubliki.localhost>",
  },
  MAIL_CATCHER_PORT: {
    schema: port,
    expected: "a port number 0–65535",
    fallback: "2525",
  },
  SESSION_IDLE_MINUTES: {
    schema: z.coerce.number().int().min(1).max(1440),
    expected: "minutes, 1–1440",
    fallback: "30",
  },
  SESSION_ABSOLUTE_HOURS: {
    schema: z.coerce.number().int().min(1).max(168),
    expected: "hours, 1–168",
    fallback: "12",
  },
  DEMO_DATA: {
    schema: booleanText,
    expected: "true or false",
    fallback: undefined,
  },
  LOG_LEVEL: {
    schema: z.enum([
      "fatal",
      "error",
      "warn",
      "info",
      "debug",
      "trace",
      "silent",
    ]),
    expected: "one of fatal, error, warn, info, debug, trace, silent",
    fallback: "info",
  },
} as const;

type Variables = typeof VARIABLES;
type Parsed = {
  [K in keyof Variables]: Variables[K]["fallback"] extends string
    ? z.output<Variables[K]["schema"]>
    : z.output<Variables[K]["schema"]> | undefined;
};

export interface Config {
  port: number;
  host: string;
  /** Fastify's `trustProxy`: which proxies may set X-Forwarded-For. */
  trustProxy: boolean | string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  esia: {
    /** Unset means the embedded simulator. */
    baseUrl: string | undefined;
    clientId: string;
    privateKeyFile: string | undefined;
    signerCommand: string | undefined;
    certificateHash: string | undefined;
    verifyCertificateFiles: string[];
    issuer: string | undefined;
  };
  simulator: { port: number; demo: boolean; fixtureFiles: string[] };
  groups: { work: string; editorial: string };
  platformOperators: PlatformOperator[];
  /** Mailboxes told of new editorial-cabinet applications, besides the operators' own e-mails. */
  platformOperatorsMail: string[];
  smtpUrl: string | undefined;
  mailFrom: string;
  mailCatcherPort: number;
  session: { idleMinutes: number; absoluteHours: number };
  /** Load the demo cabinets into an empty database (default: when embedded). */
  demoData: boolean;
  logLevel: Parsed["LOG_LEVEL"];
  /** True when the product runs its own simulator, mail catcher and PGlite. */
  embedded: { esia: boolean; mail: boolean; database: boolean };
}

/** Checks a `MAIL_FROM` value: an address, or a display name and an address in angle brackets. */
function isMailFrom(value: string): boolean {
  const match = /^(?:[^<>]*<([^<>\s]+)>|([^<>\s]+))$/.exec(value.trim());
  const address = match?.[1] ?? match?.[2];
  return address !== undefined && isValidEmail(address);
}

/** Checks a `TRUST_PROXY` value: true, false, or a list of addresses and CIDR ranges. */
function isTrustProxy(value: string): boolean {
  if (value === "true" || value === "false") return true;
  return value.split(",").every((item) => {
    const [address, prefix, extra] = item.trim().split("/");
    const family = isIP(address ?? "");
    if (family === 0 || extra !== undefined) return false;
    if (prefix === undefined) return true;
    const bits = Number(prefix);
    return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
  });
}

/** Converts `TRUST_PROXY` to Fastify's `trustProxy` option. */
function parseTrustProxy(value: string): boolean | string {
  if (value === "true" || value === "false") return value === "true";
  return value
    .split(",")
    .map((item) => item.trim())
    .join(",");
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Parses `PLATFORM_OPERATORS`; returns the operators or a problem text. */
export function parsePlatformOperators(
  value: string,
): PlatformOperator[] | string {
  const operators: PlatformOperator[] = [];
  for (const entry of value.split(";").map((item) => item.trim())) {
    if (entry === "") continue;
    const [oid, regionList, extra] = entry.split(":");
    if (extra !== undefined || !oid || !/^\d{1,20}$/.test(oid.trim())) {
      return `entry "${entry}" is not an ESIA oid optionally followed by ':' and region codes`;
    }
    if (
      regionList !== undefined &&
      regionList.trim() !== "" &&
      regionList.split(",").some((code) => code.trim() === "")
    ) {
      return `entry "${entry}" has an empty region code; remove the extra comma`;
    }
    const codes = regionList === undefined ? [] : splitList(regionList);
    const unknown = codes.filter((code) => !isRegionCode(code));
    if (unknown.length > 0) {
      return `entry "${entry}" names unknown region codes ${unknown.join(", ")}; use two-digit codes 01–95 of the subjects of the Russian Federation`;
    }
    if (regionList !== undefined && codes.length === 0) {
      return `entry "${entry}" has ':' but no region codes; remove ':' to allow every region`;
    }
    operators.push({ oid: oid.trim(), regions: codes });
  }
  return operators;
}

/**
 * Reads and validates the configuration. Every problem is collected, so one
 * start reports all bad variables at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(VARIABLES)) {
    const raw = env[name];
    const value = raw === undefined || raw === "" ? variable.fallback : raw;
    if (value === undefined) {
      parsed[name] = undefined;
      continue;
    }
    const result = (variable.schema as z.ZodType).safeParse(value);
    if (result.success) {
      parsed[name] = result.data;
    } else {
      problems.push(
        `${name}=${JSON.stringify(raw)} is invalid: expected ${variable.expected}`,
      );
    }
  }
  const values = parsed as Parsed;

  let platformOperators: PlatformOperator[] = [];
  if (values.PLATFORM_OPERATORS !== undefined) {
    const result = parsePlatformOperators(values.PLATFORM_OPERATORS);
    if (typeof result === "string") {
      problems.push(`PLATFORM_OPERATORS is invalid: ${result}`);
    } else {
      platformOperators = result;
    }
  }

  const badMail = splitList(values.PLATFORM_OPERATORS_MAIL ?? "").filter(
    (address) => !isValidEmail(address),
  );
  if (badMail.length > 0) {
    problems.push(
      `PLATFORM_OPERATORS_MAIL contains invalid e-mail addresses ${badMail.join(", ")}: expected ${VARIABLES.PLATFORM_OPERATORS_MAIL.expected}`,
    );
  }

  const idle = values.SESSION_IDLE_MINUTES;
  const absolute = values.SESSION_ABSOLUTE_HOURS;
  if (idle !== undefined && absolute !== undefined && idle > absolute * 60) {
    problems.push(
      `SESSION_IDLE_MINUTES=${idle} exceeds SESSION_ABSOLUTE_HOURS=${absolute} (${absolute * 60} minutes), so the idle timeout would never apply: lower SESSION_IDLE_MINUTES or raise SESSION_ABSOLUTE_HOURS`,
    );
  }

  const embeddedEsia = values.ESIA_BASE_URL === undefined;
  if (!embeddedEsia) {
    if (!values.ESIA_PRIVATE_KEY_FILE && !values.ESIA_SIGNER_COMMAND) {
      problems.push(
        "ESIA_BASE_URL is set, so ESIA_PRIVATE_KEY_FILE or ESIA_SIGNER_COMMAND is required to sign requests",
      );
    }
    if (!values.ESIA_CERTIFICATE_HASH) {
      problems.push(
        `ESIA_BASE_URL is set, so ESIA_CERTIFICATE_HASH is required: ${VARIABLES.ESIA_CERTIFICATE_HASH.expected}`,
      );
    }
    if (!values.ESIA_VERIFY_CERTIFICATES) {
      problems.push(
        `ESIA_BASE_URL is set, so ESIA_VERIFY_CERTIFICATES is required: ${VARIABLES.ESIA_VERIFY_CERTIFICATES.expected}`,
      );
    }
  }
  const files = [
    [
      "ESIA_PRIVATE_KEY_FILE",
      values.ESIA_PRIVATE_KEY_FILE ? [values.ESIA_PRIVATE_KEY_FILE] : [],
    ],
    [
      "ESIA_VERIFY_CERTIFICATES",
      splitList(values.ESIA_VERIFY_CERTIFICATES ?? ""),
    ],
    [
      "ESIA_SIMULATOR_FIXTURES",
      splitList(values.ESIA_SIMULATOR_FIXTURES ?? ""),
    ],
  ] as const;
  for (const [name, paths] of files) {
    for (const path of paths) {
      if (!existsSync(path))
        problems.push(
          `${name} names "${path}", which does not exist: fix the path`,
        );
    }
  }

  // The embedded simulator and mail catcher listen in this process too.
  const listeners: [string, number | undefined][] = [
    ["PORT", values.PORT],
    [
      "ESIA_SIMULATOR_PORT",
      embeddedEsia ? values.ESIA_SIMULATOR_PORT : undefined,
    ],
    [
      "MAIL_CATCHER_PORT",
      values.SMTP_URL === undefined ? values.MAIL_CATCHER_PORT : undefined,
    ],
  ];
  for (let first = 0; first < listeners.length; first++) {
    for (let second = first + 1; second < listeners.length; second++) {
      const [nameA, portA] = listeners[first]!;
      const [nameB, portB] = listeners[second]!;
      if (portA !== undefined && portA !== 0 && portA === portB) {
        problems.push(
          `${nameA} and ${nameB} are both ${portA}: give each a port of its own`,
        );
      }
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const portValue = values.PORT as number;
  const publicUrl = (
    values.PUBLIC_URL ?? `http://localhost:${portValue}`
  ).replace(/\/+$/, "");
  return {
    port: portValue,
    host: values.HOST as string,
    trustProxy: values.TRUST_PROXY as boolean | string,
    publicUrl,
    dataDir: values.DATA_DIR as string,
    databaseUrl: values.DATABASE_URL,
    databasePoolSize: values.DATABASE_POOL_SIZE as number,
    esia: {
      baseUrl: values.ESIA_BASE_URL?.replace(/\/+$/, ""),
      clientId: values.ESIA_CLIENT_ID as string,
      privateKeyFile: values.ESIA_PRIVATE_KEY_FILE,
      signerCommand: values.ESIA_SIGNER_COMMAND,
      certificateHash: values.ESIA_CERTIFICATE_HASH,
      verifyCertificateFiles: splitList(values.ESIA_VERIFY_CERTIFICATES ?? ""),
      issuer: values.ESIA_ISSUER,
    },
    simulator: {
      port: values.ESIA_SIMULATOR_PORT as number,
      demo: values.ESIA_SIMULATOR_DEMO as boolean,
      fixtureFiles: splitList(values.ESIA_SIMULATOR_FIXTURES ?? ""),
    },
    groups: {
      work: values.ESIA_GROUP_WORK as string,
      editorial: values.ESIA_GROUP_EDITORIAL as string,
    },
    platformOperators:
      values.PLATFORM_OPERATORS === undefined && embeddedEsia
        ? [{ oid: "1000000005", regions: [] }]
        : platformOperators,
    platformOperatorsMail: splitList(values.PLATFORM_OPERATORS_MAIL ?? ""),
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM as string,
    mailCatcherPort: values.MAIL_CATCHER_PORT as number,
    session: {
      idleMinutes: values.SESSION_IDLE_MINUTES as number,
      absoluteHours: values.SESSION_ABSOLUTE_HOURS as number,
    },
    demoData: values.DEMO_DATA ?? (embeddedEsia && !values.DATABASE_URL),
    logLevel: values.LOG_LEVEL as Parsed["LOG_LEVEL"],
    embedded: {
      esia: embeddedEsia,
      mail: values.SMTP_URL === undefined,
      database: values.DATABASE_URL === undefined,
    },
  };
}
