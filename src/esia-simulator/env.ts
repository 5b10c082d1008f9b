import { readFileSync } from "node:fs";
import type { EsiaSimulatorOptions } from "./index.js";

/** A simulator environment variable with a bad value; names the variable and the expected form. */
export class SimulatorEnvError extends Error {
  constructor(variable: string, value: string, expected: string) {
    super(
      `${variable}=${JSON.stringify(value)} is invalid: expected ${expected}`,
    );
    this.name = "SimulatorEnvError";
  }
}

/**
 * Reads the simulator's settings from the environment:
 * `ESIA_SIMULATOR_PORT` (default 3001), `ESIA_SIMULATOR_HOST` (default
 * 127.0.0.1), `ESIA_SIMULATOR_PUBLIC_URL`, `ESIA_SIMULATOR_DEMO` (`true` or
 * `false`, default true), `ESIA_SIMULATOR_FIXTURES` (comma-separated files),
 * `ESIA_SIMULATOR_CLOCK_SKEW_SECONDS` (default 300) and
 * `ESIA_SIMULATOR_TOKEN_KEY_FILE` (PEM private key that signs tokens).
 */
export function simulatorOptionsFromEnv(
  env: NodeJS.ProcessEnv,
): EsiaSimulatorOptions {
  const options: EsiaSimulatorOptions = {};
  const port = env.ESIA_SIMULATOR_PORT;
  if (port !== undefined && port !== "") {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
      throw new SimulatorEnvError(
        "ESIA_SIMULATOR_PORT",
        port,
        "a port number from 0 to 65535",
      );
    }
    options.port = Number(port);
  }

  if (env.ESIA_SIMULATOR_HOST) options.host = env.ESIA_SIMULATOR_HOST;

  const publicUrl = env.ESIA_SIMULATOR_PUBLIC_URL;
  if (publicUrl) {
    if (!/^https?:\/\/[^\s/]+/.test(publicUrl)) {
      throw new SimulatorEnvError(
        "ESIA_SIMULATOR_PUBLIC_URL",
        publicUrl,
        "an http(s) URL such as http://localhost:3001",
      );
    }
    options.publicUrl = publicUrl;
  }

  const demo = env.ESIA_SIMULATOR_DEMO;
  if (demo !== undefined && demo !== "") {
    if (demo !== "true" && demo !== "false") {
      throw new SimulatorEnvError("ESIA_SIMULATOR_DEMO", demo, "true or false");
    }
    options.demo = demo === "true";
  }

  const fixtures = env.ESIA_SIMULATOR_FIXTURES;
  if (fixtures) {
    options.fixtureFiles = fixtures
      .split(",")
      .map((file) => file.trim())
      .filter(Boolean);
  }

  const skew = env.ESIA_SIMULATOR_CLOCK_SKEW_SECONDS;
  if (skew !== undefined && skew !== "") {
    if (!/^\d{1,6}$/.test(skew)) {
      throw new SimulatorEnvError(
        "ESIA_SIMULATOR_CLOCK_SKEW_SECONDS",
        skew,
        "a whole number of seconds",
      );
    }
    options.clockSkewSeconds = Number(skew);
  }

  const keyFile = env.ESIA_SIMULATOR_TOKEN_KEY_FILE;
  if (keyFile) {
    try {
      options.tokenSigningKeyPem = readFileSync(keyFile, "utf8");
    } catch (error) {
      throw new SimulatorEnvError(
        "ESIA_SIMULATOR_TOKEN_KEY_FILE",
        keyFile,
        `a readable PEM file (${String(error)})`,
      );
    }
  }

  return options;
}
