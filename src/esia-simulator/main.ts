/**
 * Runs the ESIA simulator on its own: `npx tsx src/esia-simulator/main.ts`.
 * Settings come from the ESIA_SIMULATOR_* variables read by
 * `simulatorOptionsFromEnv`. Register clients through a fixture file.
 */
import { simulatorOptionsFromEnv } from "./env.js";
import { startEsiaSimulator } from "./index.js";

try {
  const simulator = await startEsiaSimulator({
    ...simulatorOptionsFromEnv(process.env),
    logger: true,
  });
  console.log(`ESIA simulator listening at ${simulator.url}`);
  console.log(
    `Token verification key: ${simulator.url}/simulator/token-signing-key.pem`,
  );
  const stop = () => {
    void simulator.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
