import { createHash, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import type { Executor } from "./db/client.js";
import { createEsiaClient, type EsiaClient } from "./esia/client.js";
import {
  createCommandSigner,
  createPemSigner,
  type EsiaSigner,
} from "./esia/signer.js";
import { startEsiaSimulator } from "./esia-simulator/index.js";
import { startMailCatcher } from "./mail/catcher.js";
import { createMailTransport } from "./mail/transport.js";
import { startOutboxWorker, type OutboxWorker } from "./mail/worker.js";

/** Something started at boot that must be stopped on shutdown. */
export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

export interface EsiaSetup {
  client: EsiaClient;
  /** The embedded simulator's URL, when the product runs it. */
  simulatorUrl?: string;
  stoppables: Stoppable[];
}

function redirectUri(config: Config): string {
  return `${config.publicUrl}/auth/esia/callback`;
}

/**
 * Builds the ESIA client from the configuration. With the embedded default
 * it first starts the simulator and registers the client with a key pair
 * generated for this run, so no private key is stored anywhere.
 */
export async function setUpEsia(
  config: Config,
  logger: Logger,
): Promise<EsiaSetup> {
  const esiaLogger = logger.child({ part: "esia" });
  if (config.embedded.esia) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
    });
    const publicKeyPem = publicKey
      .export({ type: "spki", format: "pem" })
      .toString();
    // A stand-in for the certificate hash: SHA-256 of the public key, 64 hex digits.
    const certificateHash = createHash("sha256")
      .update(publicKey.export({ type: "spki", format: "der" }))
      .digest("hex")
      .toUpperCase();
    const uris = new Set([
      redirectUri(config),
      `http://localhost:${config.port}/auth/esia/callback`,
      `http://127.0.0.1:${config.port}/auth/esia/callback`,
    ]);
    const simulator = await startEsiaSimulator({
      port: config.simulator.port,
      host: config.host === "0.0.0.0" ? "0.0.0.0" : "127.0.0.1",
      demo: config.simulator.demo,
      fixtureFiles: config.simulator.fixtureFiles,
      extraClients: [
        {
          clientId: config.esia.clientId,
          publicKeyPem,
          certificateHash,
          redirectUris: [...uris],
        },
      ],
      logger: logger.child({ part: "esia-simulator" }),
    });
    const client = createEsiaClient({
      baseUrl: simulator.url,
      clientId: config.esia.clientId,
      redirectUri: redirectUri(config),
      signer: createPemSigner(privateKey),
      certificateHash,
      verificationKeys: [simulator.tokenVerificationKeyPem],
      issuer: simulator.issuer,
      logger: esiaLogger,
    });
    return {
      client,
      simulatorUrl: simulator.url,
      stoppables: [{ name: "ESIA simulator", stop: () => simulator.close() }],
    };
  }

  let signer: EsiaSigner;
  if (config.esia.signerCommand) {
    // The command and its arguments, split on spaces and run without a shell.
    const [command, ...args] = config.esia.signerCommand.trim().split(/\s+/);
    signer = createCommandSigner({ command: command!, args });
  } else {
    signer = createPemSigner(readFileSync(config.esia.privateKeyFile!, "utf8"));
  }
  const client = createEsiaClient({
    baseUrl: config.esia.baseUrl!,
    clientId: config.esia.clientId,
    redirectUri: redirectUri(config),
    signer,
    certificateHash: config.esia.certificateHash!,
    verificationKeys: config.esia.verifyCertificateFiles.map((file) =>
      readFileSync(file, "utf8"),
    ),
    issuer: config.esia.issuer,
    logger: esiaLogger,
  });
  return { client, stoppables: [] };
}

export interface MailSetup {
  worker: OutboxWorker;
  stoppables: Stoppable[];
}

/**
 * Starts the outbox worker, and the local mail catcher first when no
 * SMTP_URL is set.
 */
export async function setUpMail(
  config: Config,
  db: Executor,
  logger: Logger,
): Promise<MailSetup> {
  const stoppables: Stoppable[] = [];
  const mailLogger = logger.child({ part: "mail" });
  if (config.embedded.mail) {
    const catcher = await startMailCatcher({
      db,
      port: config.mailCatcherPort,
      logger: mailLogger,
    });
    stoppables.push({ name: "mail catcher", stop: () => catcher.close() });
  }
  const transport = createMailTransport({
    smtpUrl: config.smtpUrl,
    catcherPort: config.mailCatcherPort,
  });
  const worker = startOutboxWorker({
    db,
    transport,
    from: config.mailFrom,
    logger: mailLogger,
  });
  // The worker stops before the catcher so no send is cut off.
  stoppables.push({ name: "mail worker", stop: () => worker.stop() });
  return { worker, stoppables };
}
