import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEsiaSimulator } from "../src/esia-simulator/index.js";
import { WORK_DIR } from "./settings.js";

/** ESIA client id the product runs under during the benchmark. */
const CLIENT_ID = "GPBENCH";

export interface ExternalEsia {
  /** Environment of the product that points it at this simulator. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts the ESIA simulator in the benchmark's process and registers a client
 * with a key pair generated for the run, so the product is configured as in
 * production (ESIA_BASE_URL with a key, certificate hash and verification
 * key) and does not run the embedded simulator in its own process. The load
 * uses inserted sessions, so the product calls ESIA only if someone signs in.
 */
export async function startExternalEsia(
  productPublicUrl: string,
): Promise<ExternalEsia> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
  });
  // A stand-in for the certificate hash, as the embedded default makes it.
  const certificateHash = createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex")
    .toUpperCase();
  const simulator = await startEsiaSimulator({
    port: 0,
    host: "127.0.0.1",
    demo: true,
    extraClients: [
      {
        clientId: CLIENT_ID,
        publicKeyPem: publicKey
          .export({ type: "spki", format: "pem" })
          .toString(),
        certificateHash,
        redirectUris: [`${productPublicUrl}/auth/esia/callback`],
      },
    ],
  });
  const directory = join(WORK_DIR, "esia");
  mkdirSync(directory, { recursive: true });
  const keyFile = join(directory, "client-key.pem");
  const verifyFile = join(directory, "token-signing-key.pem");
  writeFileSync(
    keyFile,
    privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    { mode: 0o600 },
  );
  writeFileSync(verifyFile, simulator.tokenVerificationKeyPem);
  return {
    env: {
      ESIA_BASE_URL: simulator.url,
      ESIA_CLIENT_ID: CLIENT_ID,
      ESIA_PRIVATE_KEY_FILE: keyFile,
      ESIA_CERTIFICATE_HASH: certificateHash,
      ESIA_VERIFY_CERTIFICATES: verifyFile,
      ESIA_ISSUER: simulator.issuer,
    },
    close: () => simulator.close(),
  };
}
