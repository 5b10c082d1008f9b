import type { Logger } from "pino";
import type { Config } from "./config.js";
import type { Executor } from "./db/client.js";
import { createEsiaClient, type EsiaClient } from "./esia/client.js";
import { createEsiaClientFromSettings } from "./esia/from-config.js";
import { createPemSigner } from "./esia/signer.js";
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

/**
 * Builds the ESIA client from the configuration. With the embedded default
 * it first starts the simulator and registers the client with a key pair
 * generated for this run, so no private key is stored anywhere. The
 * simulator's modules are imported only then, because with ESIA_BASE_URL set
 * they would take memory for nothing.
 */
export async function setUpEsia(
  config: Config,
  logger: Logger,
): Promise<EsiaSetup> {
  const esiaLogger = logger.child({ part: "esia" });
  if (!config.embedded.esia) {
    const client = createEsiaClientFromSettings(
      {
        ...config.esia,
        baseUrl: config.esia.baseUrl!,
        certificateHash: config.esia.certificateHash!,
      },
      config.publicUrl,
      esiaLogger,
    );
    return { client, stoppables: [] };
  }
  const { startEsiaSimulator } = await import("./esia-simulator/index.js");
  const { callbackUris, generateClientRegistration } =
    await import("./esia-simulator/registration.js");
  const uris = new Set([
    ...callbackUris(config.publicUrl),
    ...callbackUris(`http://localhost:${config.port}`),
  ]);
  const registration = generateClientRegistration(config.esia.clientId, [
    ...uris,
  ]);
  const simulator = await startEsiaSimulator({
    port: config.simulator.port,
    host: config.host === "0.0.0.0" ? "0.0.0.0" : "127.0.0.1",
    demo: config.simulator.demo,
    fixtureFiles: config.simulator.fixtureFiles,
    extraClients: [registration.client],
    logger: logger.child({ part: "esia-simulator" }),
  });
  const client = createEsiaClient({
    baseUrl: simulator.url,
    clientId: config.esia.clientId,
    redirectUri: `${config.publicUrl}/auth/esia/callback`,
    signer: createPemSigner(registration.privateKeyPem),
    certificateHash: registration.certificateHash,
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

export interface MailSetup {
  worker: OutboxWorker;
  stoppables: Stoppable[];
}

/**
 * Starts the outbox worker, and the local mail catcher first when no
 * SMTP_URL is set. The catcher (smtp-server and mailparser) is imported only
 * then.
 */
export async function setUpMail(
  config: Config,
  db: Executor,
  logger: Logger,
): Promise<MailSetup> {
  const stoppables: Stoppable[] = [];
  const mailLogger = logger.child({ part: "mail" });
  let catcherPort = config.mailCatcherPort;
  if (config.embedded.mail) {
    const { startMailCatcher } = await import("./mail/catcher.js");
    const catcher = await startMailCatcher({
      db,
      port: config.mailCatcherPort,
      logger: mailLogger,
    });
    // With MAIL_CATCHER_PORT=0 the catcher picks a free port.
    catcherPort = catcher.port;
    stoppables.push({ name: "mail catcher", stop: () => catcher.close() });
  }
  const transport = createMailTransport({
    smtpUrl: config.smtpUrl,
    catcherPort,
  });
  const worker = startOutboxWorker({
    db,
    transport,
    from: config.mailFrom,
    logger: mailLogger,
  });
  // The worker stops before the catcher so no send is cut off; then the
  // pool's idle connections are closed.
  stoppables.push({
    name: "mail worker",
    stop: async () => {
      await worker.stop();
      transport.close();
    },
  });
  return { worker, stoppables };
}
