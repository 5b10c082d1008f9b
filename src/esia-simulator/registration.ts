import { createHash, generateKeyPairSync } from "node:crypto";
import type { FixtureClient } from "./fixture.js";

export interface ClientRegistration {
  /** Pass to `startEsiaSimulator({ extraClients: [client] })`. */
  client: FixtureClient;
  /** PKCS#8 PEM for the product's PEM signer; lives only in memory. */
  privateKeyPem: string;
  /** The `client_certificate_hash` the simulator expects from this client. */
  certificateHash: string;
}

/**
 * Generates a key pair for a client of the embedded simulator, so that no
 * private key has to be committed or configured. There is no certificate,
 * so the hash is SHA-256 of the public key's DER; the simulator only
 * compares it.
 */
export function generateClientRegistration(
  clientId: string,
  redirectUris: string[],
): ClientRegistration {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
  });
  const certificateHash = createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");
  return {
    client: {
      clientId,
      publicKeyPem: publicKey
        .export({ type: "spki", format: "pem" })
        .toString(),
      certificateHash,
      redirectUris,
    },
    privateKeyPem: privateKey
      .export({ type: "pkcs8", format: "pem" })
      .toString(),
    certificateHash,
  };
}

/**
 * The product's callback at its public URL, plus the same URL with
 * `localhost` and `127.0.0.1` swapped, since a browser may use either.
 */
export function callbackUris(publicUrl: string): string[] {
  const callback = `${publicUrl.replace(/\/+$/, "")}/auth/esia/callback`;
  const url = new URL(callback);
  const swapped =
    url.hostname === "localhost"
      ? "127.0.0.1"
      : url.hostname === "127.0.0.1"
        ? "localhost"
        : null;
  if (!swapped) return [callback];
  const other = new URL(callback);
  other.hostname = swapped;
  return [callback, other.toString()];
}
