import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkOgrn } from "../../src/domain/ogrn.js";
import { simulatorOptionsFromEnv } from "../../src/esia-simulator/env.js";
import {
  demoFixtureFile,
  FixtureError,
  loadDirectory,
  type Fixture,
} from "../../src/esia-simulator/fixture.js";
import { startEsiaSimulator } from "../../src/esia-simulator/index.js";
import {
  Browser,
  fixturePath,
  passEsia,
  startTestSimulator,
  testEsiaClient,
} from "./helpers.js";

const REDIRECT = "http://127.0.0.1:9/auth/esia/callback";
const folder = mkdtempSync(join(tmpdir(), "esia-fixture-"));

afterAll(() => rmSync(folder, { recursive: true, force: true }));

function writeFixture(name: string, content: unknown): string {
  const file = join(folder, name);
  writeFileSync(
    file,
    typeof content === "string" ? content : JSON.stringify(content),
  );
  return file;
}

function loadError(files: string[]): FixtureError {
  try {
    loadDirectory({ demo: true, files });
  } catch (error) {
    if (error instanceof FixtureError) return error;
    throw error;
  }
  throw new Error("the fixture loaded but should have been rejected");
}

const demo = JSON.parse(
  readFileSync(demoFixtureFile, "utf8"),
) as Required<Fixture>;

describe("demo fixture", () => {
  it("has valid ОГРН and ОГРНИП check digits", () => {
    for (const organization of demo.organizations) {
      expect(checkOgrn(organization.ogrn), organization.ogrn).toMatchObject({
        valid: true,
      });
    }
  });

  it("covers every case where a person may not apply", () => {
    const directory = loadDirectory({ demo: true, files: [] });
    const employment = (person: number) =>
      [...directory.employments.values()].filter(
        (item) => item.personOid === person,
      );
    const organization = (oid: number) => directory.organizations.get(oid)!;
    const hasWork = (person: number) =>
      employment(person)[0]!.groups.some(
        (group) => group.grpId === "POS_GP_WORK",
      );

    expect(employment(1000000010)[0]).toMatchObject({
      chief: false,
      admin: false,
      active: true,
    });
    expect(hasWork(1000000010)).toBe(true);
    expect(employment(1000000011)[0]).toMatchObject({
      admin: true,
      active: true,
    });
    expect(hasWork(1000000011)).toBe(false);
    expect(employment(1000000012)[0]).toMatchObject({
      admin: true,
      active: false,
    });
    expect(organization(employment(1000000013)[0]!.orgOid).isLiquidated).toBe(
      true,
    );
    expect(organization(employment(1000000014)[0]!.orgOid).type).toBe(
      "BUSINESS",
    );
    expect(employment(1000000015)).toEqual([]);
  });

  it("has two reviewers of «КР РОИВ»", () => {
    const directory = loadDirectory({ demo: true, files: [] });
    const reviewers = [...directory.employments.values()].filter(
      (item) =>
        item.orgOid === 1000000101 &&
        item.active &&
        item.groups.some((group) => group.grpId === "POS_GP_EDITORIAL"),
    );
    expect(reviewers.map((item) => item.personOid).sort()).toEqual([
      1000000001, 1000000007,
    ]);
  });
});

describe("fixture merging", () => {
  it("adds and replaces records from a second file", () => {
    const directory = loadDirectory({
      demo: true,
      files: [fixturePath("extra-fixture.json")],
    });
    expect(directory.persons.get(2000000001)?.lastName).toBe("Орлова");
    expect(directory.persons.get(1000000001)?.lastName).toBe("Иванова");
    expect(directory.organizations.get(2000000201)?.shortName).toBe("КС ЛО");
    expect(directory.organizations.get(1000000104)?.fullName).toMatch(
      /переименовано/,
    );
    expect(directory.organizations.size).toBe(8);
  });

  it("drops the demo data when demo is false", () => {
    const directory = loadDirectory({
      demo: false,
      files: [fixturePath("extra-fixture.json")],
    });
    expect(directory.persons.has(1000000001)).toBe(false);
    expect(directory.persons.size).toBe(1);
  });

  it("signs in a person of the second file", async () => {
    const simulator = await startTestSimulator([REDIRECT], {
      fixtureFiles: [fixturePath("extra-fixture.json")],
    });
    try {
      const client = testEsiaClient(simulator, REDIRECT);
      const url = await client.buildAuthorizationUrl({ state: randomUUID() });
      const back = await passEsia(new Browser(), url, {
        login: "212-233-001 80",
        password: "extra-password",
      });
      const tokens = await client.exchangeCode(
        new URL(back).searchParams.get("code")!,
      );
      const profile = await client.fetchProfile(
        tokens.accessToken,
        tokens.personOid,
      );
      expect(profile.middleName).toBeNull();
      expect(profile.organizations).toEqual([
        expect.objectContaining({
          oid: "2000000201",
          chief: true,
          groups: [
            {
              grpId: "POS_GP_EDITORIAL",
              name: "ПОС. Госпаблики. Кабинет редакции",
            },
          ],
        }),
      ]);
    } finally {
      await simulator.close();
    }
  });
});

describe("broken fixtures", () => {
  const person = demo.persons[0]!;

  it.each([
    [
      "a СНИЛС in the wrong form",
      { persons: [{ ...person, snils: "11223300171" }] },
      "$.persons[0].snils",
      /must match pattern/,
    ],
    [
      "a missing property",
      { persons: [{ ...person, password: undefined }] },
      "$.persons[0].password",
      /required property is missing/,
    ],
    [
      "an unknown property",
      { organizations: [{ ...demo.organizations[0], kind: "AGENCY" }] },
      "$.organizations[0].kind",
      /unknown property/,
    ],
    [
      "an unknown organization type",
      { organizations: [{ ...demo.organizations[0], type: "PERSON" }] },
      "$.organizations[0].type",
      /allowed values.*LEGAL/,
    ],
    [
      "a 40-hex certificate hash",
      {
        clients: [
          {
            clientId: "X",
            publicKeyPem: "-----BEGIN PUBLIC KEY-----",
            certificateHash: "a".repeat(40),
            redirectUris: [REDIRECT],
          },
        ],
      },
      "$.clients[0].certificateHash",
      /must match pattern/,
    ],
    [
      "a key that is not PEM",
      {
        clients: [
          {
            clientId: "X",
            publicKeyPem:
              "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----",
            certificateHash: "a".repeat(64),
            redirectUris: [REDIRECT],
          },
        ],
      },
      "$.clients[0].publicKeyPem",
      /not a valid PEM/,
    ],
    [
      "an employment of an unknown organization",
      {
        employments: [
          {
            personOid: 1000000001,
            orgOid: 42,
            chief: true,
            admin: true,
            active: true,
            groups: [],
          },
        ],
      },
      "$.employments[0].orgOid",
      /no organization with oid 42/,
    ],
    ["invalid JSON", "{ persons: [", "$", /invalid JSON/],
  ])(
    "names the file, path and problem for %s",
    (_case, content, path, problem) => {
      const file = writeFixture(`${randomUUID()}.json`, content);
      const error = loadError([file]);
      expect(error.file).toBe(file);
      expect(error.path).toBe(path);
      expect(error.problem).toMatch(problem);
      expect(error.message).toContain(`${file}: ${path}: `);
    },
  );

  it("lists every problem of every file", () => {
    const first = writeFixture("several-1.json", {
      persons: [{ ...person, oid: 3000000002, snils: "12", email: "no-at" }],
    });
    const second = writeFixture("several-2.json", {
      employments: [
        {
          personOid: 1000000001,
          orgOid: 43,
          chief: true,
          admin: true,
          active: true,
          groups: [],
        },
      ],
    });
    const error = loadError([first, second]);

    expect(error.problems.map(({ file, path }) => [file, path])).toEqual([
      [first, "$.persons[0].snils"],
      [first, "$.persons[0].email"],
      [second, "$.employments[0].orgOid"],
    ]);
    expect(error.message).toContain("3 problems");
    expect(error.message).toContain(`${second}: $.employments[0].orgOid: `);
  });

  it("rejects two persons with the same login", () => {
    const file = writeFixture("duplicate.json", {
      persons: [
        { ...person, oid: 3000000001, snils: "312-233-001 89", mobile: null },
      ],
    });
    expect(loadError([file]).problem).toMatch(
      /e-mail m\.ivanova@kip\.spb\.example is also the login/,
    );
  });

  it("reports a missing file", () => {
    expect(loadError([join(folder, "absent.json")]).problem).toMatch(
      /cannot read the file/,
    );
  });

  it("stops the simulator start", async () => {
    const file = writeFixture("start.json", {
      persons: [{ ...person, email: "no-at-sign" }],
    });
    await expect(
      startEsiaSimulator({ port: 0, fixtureFiles: [file] }),
    ).rejects.toThrow(`ESIA simulator fixture ${file}: $.persons[0].email: `);
  });
});

describe("environment", () => {
  it("reads the simulator variables", () => {
    expect(
      simulatorOptionsFromEnv({
        ESIA_SIMULATOR_PORT: "3101",
        ESIA_SIMULATOR_DEMO: "false",
        ESIA_SIMULATOR_FIXTURES: "a.json, b.json,",
      }),
    ).toEqual({ port: 3101, demo: false, fixtureFiles: ["a.json", "b.json"] });
  });

  it("names a bad variable and the expected form", () => {
    expect(() =>
      simulatorOptionsFromEnv({ ESIA_SIMULATOR_DEMO: "yes" }),
    ).toThrow('ESIA_SIMULATOR_DEMO="yes" is invalid: expected true or false');
  });
});
