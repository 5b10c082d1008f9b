import { createPublicKey, type KeyObject } from "node:crypto";
import type { SimulatorContext } from "./context.js";
import type { FixtureClient } from "./fixture.js";
import {
  OAUTH_ERRORS,
  OAuthFailure,
  isUuid,
  parseEsiaTimestamp,
} from "./protocol.js";
import { verifyDetachedCms, verifyRawSecret } from "./signature.js";

/**
 * Checks shared by `/ac` and `/te`: parameters, timestamp, certificate hash
 * and the `client_secret` signature.
 */

export type Params = Record<string, string | string[] | undefined>;

/** Reads a single-valued parameter; a repeated one is invalid as ESIA treats it. */
export function single(params: Params, name: string): string | undefined {
  const value = params[name];
  if (Array.isArray(value)) {
    throw new OAuthFailure("invalidParameter", `[${name}] is repeated.`);
  }
  return value;
}

export function required(params: Params, name: string): string {
  const value = single(params, name);
  if (value === undefined || value === "") {
    throw new OAuthFailure("missingParameter", `[${name}]`);
  }
  return value;
}

export function checkState(state: string): void {
  if (!isUuid(state)) {
    throw new OAuthFailure(
      "invalidParameter",
      "[state] must be a lowercase UUID with dashes.",
    );
  }
}

export function checkTimestamp(
  context: SimulatorContext,
  timestamp: string,
): void {
  const sentAt = parseEsiaTimestamp(timestamp);
  if (sentAt === null) {
    throw new OAuthFailure(
      "invalidParameter",
      "[timestamp] must be in the form yyyy.MM.dd HH:mm:ss +hhmm.",
    );
  }
  const skewMs = Math.abs(context.now() - sentAt);
  if (skewMs > context.settings.clockSkewSeconds * 1000) {
    throw new OAuthFailure(
      "wrongTime",
      `[timestamp] is ${Math.round(skewMs / 1000)} s away from the server time.`,
    );
  }
}

export function checkCertificateHash(
  client: FixtureClient,
  hash: string,
): void {
  if (!/^[0-9A-Fa-f]{64}$/.test(hash)) {
    throw new OAuthFailure(
      "invalidParameter",
      "[client_certificate_hash] must be 64 hex digits (GOST R 34.11-2012 256-bit hash).",
    );
  }
  if (hash.toLowerCase() !== client.certificateHash.toLowerCase()) {
    throw new OAuthFailure("certificateMismatch");
  }
}

const clientKeys = new WeakMap<FixtureClient, KeyObject>();

function clientKey(client: FixtureClient): KeyObject {
  let key = clientKeys.get(client);
  if (!key) {
    key = createPublicKey(client.publicKeyPem);
    clientKeys.set(client, key);
  }
  return key;
}

/** Verifies `client_secret` over `signedString`: raw for v2/v3, detached CMS for v1. */
export function checkClientSecret(
  context: SimulatorContext,
  client: FixtureClient,
  version: "v1" | "current",
  signedString: string,
  clientSecret: string,
): void {
  const key = clientKey(client);
  if (version === "current") {
    if (!verifyRawSecret(key, signedString, clientSecret)) {
      context.log.warn(
        { clientId: client.clientId, signedString },
        "client_secret does not verify",
      );
      throw new OAuthFailure("clientSecretWrong");
    }
    return;
  }
  const result = verifyDetachedCms(key, signedString, clientSecret);
  if (!result.valid) {
    context.log.warn(
      { clientId: client.clientId, signedString, reason: result.reason },
      "legacy client_secret does not verify",
    );
    throw new OAuthFailure("clientSecretWrong");
  }
}

/** Builds `redirect_uri?error_description=…&state=…&error=…`, the order ESIA uses. */
export function errorRedirect(
  redirectUri: string,
  failure: OAuthFailure,
  state: string | undefined,
): string {
  const url = new URL(redirectUri);
  url.searchParams.append("error_description", failure.description);
  if (state !== undefined) url.searchParams.append("state", state);
  url.searchParams.append("error", failureError(failure));
  return url.toString();
}

export function failureError(failure: OAuthFailure): string {
  return OAUTH_ERRORS[failure.kind].error;
}
