import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";

/** A registered information system (ИС) that may sign in through the simulator. */
export interface FixtureClient {
  clientId: string;
  /** SPKI public key or X.509 certificate in PEM that verifies `client_secret`. */
  publicKeyPem: string;
  /** The expected `client_certificate_hash`, 64 hex digits. */
  certificateHash: string;
  redirectUris: string[];
  note?: string;
}

export interface FixturePerson {
  oid: number;
  lastName: string;
  firstName: string;
  middleName: string | null;
  /** `123-456-789 01`. */
  snils: string;
  email: string | null;
  /** `+7(900)1234567`. */
  mobile: string | null;
  password: string;
  trusted: boolean;
  note?: string;
}

export type FixtureOrganizationType = "LEGAL" | "BUSINESS" | "AGENCY";

export interface FixtureOrganization {
  oid: number;
  ogrn: string;
  inn: string;
  fullName: string;
  shortName: string;
  type: FixtureOrganizationType;
  isLiquidated: boolean;
  note?: string;
}

export interface FixtureGroup {
  grpId: string;
  name: string;
}

export interface FixtureEmployment {
  personOid: number;
  orgOid: number;
  chief: boolean;
  admin: boolean;
  active: boolean;
  groups: FixtureGroup[];
  note?: string;
}

export interface Fixture {
  clients?: FixtureClient[];
  persons?: FixturePerson[];
  organizations?: FixtureOrganization[];
  employments?: FixtureEmployment[];
}

/** The merged fixture data the simulator serves, keyed by record id. */
export interface Directory {
  clients: Map<string, FixtureClient>;
  persons: Map<number, FixturePerson>;
  organizations: Map<number, FixtureOrganization>;
  /** Keyed by `employmentKey(personOid, orgOid)`. */
  employments: Map<string, FixtureEmployment>;
}

/** One problem of a fixture: the file, the JSON path and what is wrong. */
export interface FixtureProblem {
  file: string;
  path: string;
  problem: string;
}

/** Problems listed in a FixtureError's message; the rest are counted. */
const LISTED_PROBLEMS = 50;

/**
 * Error for fixtures that cannot be loaded. It lists every problem found,
 * each with the file, the JSON path and what is wrong. `file`, `path` and
 * `problem` repeat the first one.
 */
export class FixtureError extends Error {
  readonly file: string;
  readonly path: string;
  readonly problem: string;

  constructor(readonly problems: FixtureProblem[]) {
    const lines = problems
      .slice(0, LISTED_PROBLEMS)
      .map(({ file, path, problem }) => `${file}: ${path}: ${problem}`);
    if (problems.length > LISTED_PROBLEMS) {
      lines.push(`and ${problems.length - LISTED_PROBLEMS} more problems`);
    }
    super(
      problems.length === 1
        ? `ESIA simulator fixture ${lines[0]}`
        : `ESIA simulator fixtures have ${problems.length} problems:\n  ${lines.join("\n  ")}`,
    );
    this.name = "FixtureError";
    const [first] = problems;
    this.file = first!.file;
    this.path = first!.path;
    this.problem = first!.problem;
  }
}

export const demoFixtureFile = new URL("./demo-fixture.json", import.meta.url)
  .pathname;

const schemaFile = new URL("./fixture.schema.json", import.meta.url);
const ajv = new Ajv({ allErrors: true, strict: true });
const validateFixture = ajv.compile<Fixture>(
  JSON.parse(readFileSync(schemaFile, "utf8")),
);

export function employmentKey(personOid: number, orgOid: number): string {
  return `${personOid}:${orgOid}`;
}

/**
 * Loads the demo fixture (unless `demo` is false), then each file in order,
 * then `extraClients`. A record whose id repeats replaces the earlier one.
 * Throws `FixtureError` listing every problem of every file. A file that
 * fails the schema adds no records, so later checks do not repeat its errors.
 */
export function loadDirectory(options: {
  demo: boolean;
  files: string[];
  extraClients?: FixtureClient[];
}): Directory {
  const directory: Directory = {
    clients: new Map(),
    persons: new Map(),
    organizations: new Map(),
    employments: new Map(),
  };
  // Where each employment came from, for referential errors after merging.
  const employmentSources = new Map<string, { file: string; path: string }>();
  const files = options.demo
    ? [demoFixtureFile, ...options.files]
    : options.files;

  const problems: FixtureProblem[] = [];
  for (const file of files) {
    const fixture = readFixtureFile(file, problems);
    if (!fixture) continue;
    checkKeys(file, fixture, problems);
    fixture.clients?.forEach((client) =>
      directory.clients.set(client.clientId, client),
    );
    fixture.persons?.forEach((person) =>
      directory.persons.set(person.oid, person),
    );
    fixture.organizations?.forEach((organization) =>
      directory.organizations.set(organization.oid, organization),
    );
    fixture.employments?.forEach((employment, index) => {
      const key = employmentKey(employment.personOid, employment.orgOid);
      directory.employments.set(key, employment);
      employmentSources.set(key, { file, path: `$.employments[${index}]` });
    });
  }
  options.extraClients?.forEach((client, index) => {
    const source = "extraClients option";
    checkClientKey(
      source,
      `$[${index}].publicKeyPem`,
      client.publicKeyPem,
      problems,
    );
    directory.clients.set(client.clientId, client);
  });

  for (const [key, employment] of directory.employments) {
    const source = employmentSources.get(key)!;
    if (!directory.persons.has(employment.personOid)) {
      problems.push({
        file: source.file,
        path: `${source.path}.personOid`,
        problem: `no person with oid ${employment.personOid} in any loaded fixture`,
      });
    }
    if (!directory.organizations.has(employment.orgOid)) {
      problems.push({
        file: source.file,
        path: `${source.path}.orgOid`,
        problem: `no organization with oid ${employment.orgOid} in any loaded fixture`,
      });
    }
  }
  checkUniqueLogins(directory, files, problems);
  if (problems.length > 0) throw new FixtureError(problems);
  return directory;
}

/** Reads and validates one file. On failure it adds its problems and returns null. */
function readFixtureFile(
  file: string,
  problems: FixtureProblem[],
): Fixture | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    problems.push({
      file,
      path: "$",
      problem: `cannot read the file: ${String(error)}`,
    });
    return null;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    problems.push({
      file,
      path: "$",
      problem: `invalid JSON: ${String(error)}`,
    });
    return null;
  }
  if (!validateFixture(data)) {
    // One problem per path: a value that fails an anyOf gets an error from
    // each branch and one for the anyOf, and the first branch's is the clearest.
    const paths = new Set<string>();
    for (const error of validateFixture.errors ?? []) {
      const path = jsonPath(error);
      if (paths.has(path)) continue;
      paths.add(path);
      problems.push({ file, path, problem: describeSchemaError(error) });
    }
    return null;
  }
  return data;
}

/** Converts ajv's `/persons/3/snils` into `$.persons[3].snils`. */
function jsonPath(error: ErrorObject): string {
  let path = "$";
  for (const segment of error.instancePath.split("/").slice(1)) {
    const name = segment.replaceAll("~1", "/").replaceAll("~0", "~");
    path += /^\d+$/.test(name) ? `[${name}]` : `.${name}`;
  }
  if (error.keyword === "required") {
    path += `.${(error.params as { missingProperty: string }).missingProperty}`;
  }
  if (error.keyword === "additionalProperties") {
    const extra = (error.params as { additionalProperty: string })
      .additionalProperty;
    path += `.${extra}`;
  }
  return path;
}

function describeSchemaError(error: ErrorObject): string {
  switch (error.keyword) {
    case "required":
      return "required property is missing";
    case "additionalProperties":
      return "unknown property (check its spelling against fixture.schema.json)";
    case "enum":
      return `${error.message}: ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}`;
    default:
      return error.message ?? error.keyword;
  }
}

function checkKeys(
  file: string,
  fixture: Fixture,
  problems: FixtureProblem[],
): void {
  fixture.clients?.forEach((client, index) =>
    checkClientKey(
      file,
      `$.clients[${index}].publicKeyPem`,
      client.publicKeyPem,
      problems,
    ),
  );
}

function checkClientKey(
  file: string,
  path: string,
  pem: string,
  problems: FixtureProblem[],
): void {
  try {
    createPublicKey(pem);
  } catch (error) {
    problems.push({
      file,
      path,
      problem: `not a valid PEM public key or certificate: ${String(error)}`,
    });
  }
}

/** Two persons with the same login would make the login form ambiguous. */
function checkUniqueLogins(
  directory: Directory,
  files: string[],
  problems: FixtureProblem[],
): void {
  const seen = new Map<string, number>();
  for (const person of directory.persons.values()) {
    const logins = [
      `СНИЛС ${person.snils.replace(/\D/g, "")}`,
      person.email && `e-mail ${person.email.toLowerCase()}`,
      person.mobile && `mobile ${person.mobile.replace(/\D/g, "")}`,
    ];
    for (const login of logins) {
      if (!login) continue;
      const other = seen.get(login);
      if (other !== undefined) {
        problems.push({
          file: files.join(", "),
          path: `$.persons[oid=${person.oid}]`,
          problem: `${login} is also the login of person ${other}; logins must be unique`,
        });
        continue;
      }
      seen.set(login, person.oid);
    }
  }
}
