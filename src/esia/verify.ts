import type { KeyObject } from "node:crypto";
import { errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { EsiaError } from "./errors.js";

export type TokenKind = "access" | "id";

export interface TokenVerifierOptions {
  keys: KeyObject[];
  issuer: string;
  clientId: string;
  clockToleranceSeconds: number;
  now: () => number;
}

/**
 * Creates a verifier of ESIA's RS256 tokens. It tries each key in turn, so
 * that tokens keep verifying while ESIA rotates its key, then checks `iss`,
 * `nbf`, `exp`, the `sbt` header and, for ID tokens, `aud`. A failure is an
 * `EsiaError` with code `invalid_token`.
 */
export function createTokenVerifier(options: TokenVerifierOptions) {
  return async function verifyToken(
    token: string,
    kind: TokenKind,
  ): Promise<JWTPayload> {
    let lastError: unknown;
    for (const key of options.keys) {
      let verified;
      try {
        verified = await jwtVerify(token, key, {
          algorithms: ["RS256"],
          issuer: options.issuer,
          clockTolerance: options.clockToleranceSeconds,
          currentDate: new Date(options.now()),
          ...(kind === "id" ? { audience: options.clientId } : {}),
        });
      } catch (error) {
        if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
          lastError = error;
          continue;
        }
        throw new EsiaError(
          "invalid_token",
          `ESIA ${kind} token rejected: ${String(error)}`,
          {
            cause: error,
          },
        );
      }
      const type = verified.protectedHeader.sbt;
      if (type !== undefined && type !== kind) {
        throw new EsiaError(
          "invalid_token",
          `ESIA ${kind} token has sbt=${String(type)}`,
        );
      }
      return verified.payload;
    }
    throw new EsiaError(
      "invalid_token",
      `ESIA ${kind} token signature matches none of ${options.keys.length} verification keys`,
      { cause: lastError },
    );
  };
}
