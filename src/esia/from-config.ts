import { readFileSync } from "node:fs";
import {
  createEsiaClient,
  type EsiaClient,
  type EsiaLogger,
} from "./client.js";
import {
  createCommandSigner,
  createPemSigner,
  type EsiaSigner,
} from "./signer.js";

/** The production ESIA settings, as `loadConfig` reads them from ESIA_* variables. */
export interface EsiaSettings {
  baseUrl: string;
  clientId: string;
  /** ESIA_PRIVATE_KEY_FILE: a PEM key that signs `client_secret`. */
  privateKeyFile?: string;
  /** ESIA_SIGNER_COMMAND: a command line, split on spaces, that signs stdin to stdout. */
  signerCommand?: string;
  certificateHash: string;
  /** ESIA_VERIFY_CERTIFICATES: PEM files of ESIA's token certificates or public keys. */
  verifyCertificateFiles: string[];
  issuer?: string;
}

/**
 * Creates the ESIA client for a real ESIA from the deployment's settings.
 * The signer command wins over the key file when both are set, because
 * GOST keys live in a key store that only the command can reach.
 */
export function createEsiaClientFromSettings(
  settings: EsiaSettings,
  publicUrl: string,
  logger?: EsiaLogger,
): EsiaClient {
  return createEsiaClient({
    baseUrl: settings.baseUrl,
    clientId: settings.clientId,
    redirectUri: `${publicUrl.replace(/\/+$/, "")}/auth/esia/callback`,
    signer: signerFromSettings(settings),
    certificateHash: settings.certificateHash,
    verificationKeys: settings.verifyCertificateFiles.map((file) =>
      readFileSync(file, "utf8"),
    ),
    issuer: settings.issuer,
    logger,
  });
}

export function signerFromSettings(settings: EsiaSettings): EsiaSigner {
  if (settings.signerCommand) {
    // NOTE: no shell quoting is supported; a command that needs it goes
    // into a wrapper script.
    const [command, ...args] = settings.signerCommand.trim().split(/\s+/);
    return createCommandSigner({ command: command!, args });
  }
  if (settings.privateKeyFile) {
    return createPemSigner(readFileSync(settings.privateKeyFile, "utf8"));
  }
  throw new Error(
    "ESIA needs ESIA_SIGNER_COMMAND or ESIA_PRIVATE_KEY_FILE to sign requests",
  );
}
