import { describe, expect, it } from "vitest";
import {
  ConfigError,
  loadConfig,
  parsePlatformOperators,
} from "../../src/config.js";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("gives the embedded defaults for an empty environment", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe("http://localhost:3000");
    expect(config.dataDir).toBe("./data");
    expect(config.embedded).toEqual({ esia: true, mail: true, database: true });
    expect(config.esia.clientId).toBe("MNSV36");
    expect(config.simulator).toEqual({
      port: 3001,
      demo: true,
      fixtureFiles: [],
    });
    expect(config.platformOperators).toEqual([
      { oid: "1000000005", regions: [] },
    ]);
    expect(config.demoData).toBe(true);
  });

  it.each([
    ["PORT", "abc", "expected a port number"],
    ["PORT", "70000", "expected a port number"],
    ["PUBLIC_URL", "localhost:3000", "absolute http(s) URL"],
    ["DATABASE_URL", "mysql://x", "PostgreSQL URL"],
    ["ESIA_SIMULATOR_DEMO", "yes", "true or false"],
    ["SMTP_URL", "mail.example.ru", "smtp://"],
    ["LOG_LEVEL", "loud", "one of fatal"],
    ["SESSION_IDLE_MINUTES", "0", "minutes"],
    ["ESIA_CLIENT_ID", "bad id!", "mnemonic"],
    ["HOST", "999.1.1.1", "an IP address of this machine"],
    ["HOST", "gp.example.ru", "an IP address of this machine"],
    ["MAIL_FROM", "bad", "a sender such as"],
    ["MAIL_FROM", "Госпаблики <not an address>", "a sender such as"],
    ["TRUST_PROXY", "yes", "comma-separated proxy addresses"],
    ["TRUST_PROXY", "2", "comma-separated proxy addresses"],
    ["TRUST_PROXY", "10.0.0.0/33", "comma-separated proxy addresses"],
  ])(
    "rejects %s=%s naming the variable and the form",
    (name, value, expected) => {
      const problems = problemsOf({ [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`${name}=${JSON.stringify(value)}`);
      expect(problems[0]).toContain(expected);
    },
  );

  it("reads the proxies to trust", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(
      loadConfig({ TRUST_PROXY: "10.0.0.0/8, 127.0.0.1,::1" }).trustProxy,
    ).toBe("10.0.0.0/8,127.0.0.1,::1");
  });

  it.each([
    "noreply@gospubliki.ru",
    "Госпаблики <noreply@gospubliki.ru>",
    "«Госпаблики» <noreply@госпаблики.рф>",
  ])("accepts MAIL_FROM=%s", (value) => {
    expect(loadConfig({ MAIL_FROM: value }).mailFrom).toBe(value);
  });

  it("rejects an idle timeout longer than the session", () => {
    const problems = problemsOf({
      SESSION_IDLE_MINUTES: "1000",
      SESSION_ABSOLUTE_HOURS: "1",
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(
      "SESSION_IDLE_MINUTES=1000 exceeds SESSION_ABSOLUTE_HOURS=1 (60 minutes)",
    );
  });

  it("rejects two listeners on one port", () => {
    const problems = problemsOf({ PORT: "4321", ESIA_SIMULATOR_PORT: "4321" });
    expect(problems).toEqual([
      "PORT and ESIA_SIMULATOR_PORT are both 4321: give each a port of its own",
    ]);
    // A real ESIA means no simulator listens.
    expect(
      problemsOf({
        PORT: "4321",
        ESIA_SIMULATOR_PORT: "4321",
        ESIA_BASE_URL: "https://esia.gosuslugi.ru",
      }).join("\n"),
    ).not.toContain("both 4321");
  });

  it("reports every bad variable at once", () => {
    expect(problemsOf({ PORT: "x", LOG_LEVEL: "y" })).toHaveLength(2);
  });

  it("requires signing settings for a real ESIA", () => {
    const problems = problemsOf({ ESIA_BASE_URL: "https://esia.gosuslugi.ru" });
    expect(problems.join("\n")).toContain(
      "ESIA_PRIVATE_KEY_FILE or ESIA_SIGNER_COMMAND",
    );
    expect(problems.join("\n")).toContain("ESIA_CERTIFICATE_HASH is required");
    expect(problems.join("\n")).toContain(
      "ESIA_VERIFY_CERTIFICATES is required",
    );
  });

  it("rejects a fixture file that does not exist", () => {
    const problems = problemsOf({
      ESIA_SIMULATOR_FIXTURES: "/nonexistent/fixture.json",
    });
    expect(problems[0]).toContain(
      'ESIA_SIMULATOR_FIXTURES names "/nonexistent/fixture.json"',
    );
  });

  it("marks cookies secure behind https", () => {
    expect(loadConfig({ PUBLIC_URL: "https://gp.example.ru/" }).publicUrl).toBe(
      "https://gp.example.ru",
    );
  });
});

describe("parsePlatformOperators", () => {
  it("reads oids with and without regions", () => {
    expect(parsePlatformOperators("1000000005;1000000006:78,47")).toEqual([
      { oid: "1000000005", regions: [] },
      { oid: "1000000006", regions: ["78", "47"] },
    ]);
  });

  it.each([
    ["abc", "is not an ESIA oid"],
    ["1000000006:80", "unknown region codes 80"],
    ["1000000006:", "has ':' but no region codes"],
    ["1:2:3", "is not an ESIA oid"],
    ["1000000005:78,", "has an empty region code"],
    ["1000000005:78,,47", "has an empty region code"],
  ])("rejects %j", (value, expected) => {
    const result = parsePlatformOperators(value);
    expect(typeof result).toBe("string");
    expect(result).toContain(expected);
  });
});

describe("PLATFORM_OPERATORS_MAIL", () => {
  it("reads a list of addresses", () => {
    expect(
      loadConfig({
        PLATFORM_OPERATORS_MAIL: "ops@example.ru, приемная@минздрав.рф",
      }).platformOperatorsMail,
    ).toEqual(["ops@example.ru", "приемная@минздрав.рф"]);
  });

  it("names an invalid address", () => {
    const problems = problemsOf({
      PLATFORM_OPERATORS_MAIL: "ops@example.ru,not-an-address",
    });
    expect(problems[0]).toContain(
      "PLATFORM_OPERATORS_MAIL contains invalid e-mail addresses not-an-address",
    );
  });
});
