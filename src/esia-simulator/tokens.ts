import { randomUUID, type KeyObject } from "node:crypto";
import {
  errors as joseErrors,
  jwtVerify,
  SignJWT,
  type JWTPayload,
} from "jose";

/**
 * JWTs the simulator issues, with ESIA's headers (`ver`, `typ`, `sbt`) and
 * claims. All are RS256 with the simulator's token key.
 */

export interface TokenKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export interface AccessTokenInput {
  issuer: string;
  clientId: string;
  sid: string;
  /** Absent on client_credentials tokens, which belong to no person. */
  personOid?: number;
  /** Scope string as ESIA writes it: person scopes carry `?oid=<person oid>`. */
  scope: string;
  nowMs: number;
  ttlSeconds: number;
}

export async function signAccessToken(
  keys: TokenKeys,
  input: AccessTokenInput,
): Promise<string> {
  const iat = seconds(input.nowMs);
  const payload: JWTPayload = {
    nbf: iat,
    iat,
    exp: iat + input.ttlSeconds,
    iss: input.issuer,
    client_id: input.clientId,
    scope: input.scope,
    "urn:esia:sid": input.sid,
  };
  if (input.personOid !== undefined)
    payload["urn:esia:sbj_id"] = input.personOid;
  return new SignJWT(payload)
    .setProtectedHeader({ ver: 1, typ: "JWT", sbt: "access", alg: "RS256" })
    .sign(keys.privateKey);
}

export interface IdTokenInput {
  issuer: string;
  clientId: string;
  sid: string;
  personOid: number;
  trusted: boolean;
  authTimeMs: number;
  nowMs: number;
  ttlSeconds: number;
}

export async function signIdToken(
  keys: TokenKeys,
  input: IdTokenInput,
): Promise<string> {
  const iat = seconds(input.nowMs);
  const subject: Record<string, unknown> = {
    "urn:esia:sbj:typ": "P",
    "urn:esia:sbj:oid": input.personOid,
    "urn:esia:sbj:nam": `OID.${input.personOid}`,
  };
  // ESIA omits the flag for an unconfirmed account instead of sending false.
  if (input.trusted) subject["urn:esia:sbj:is_tru"] = true;
  return new SignJWT({
    aud: input.clientId,
    sub: input.personOid as unknown as string,
    nbf: iat,
    iat,
    exp: iat + input.ttlSeconds,
    auth_time: seconds(input.authTimeMs),
    amr: "PWD",
    "urn:esia:amd": "PWD",
    iss: input.issuer,
    "urn:esia:sid": input.sid,
    "urn:esia:sbj": subject,
  })
    .setProtectedHeader({ ver: 0, typ: "JWT", sbt: "id", alg: "RS256" })
    .sign(keys.privateKey);
}

/** An authorization code: a JWT, as ESIA's codes are, though clients must treat it as opaque. */
export async function signAuthorizationCode(
  keys: TokenKeys,
  input: {
    issuer: string;
    clientId: string;
    nowMs: number;
    ttlSeconds: number;
  },
): Promise<{ code: string; jti: string }> {
  const iat = seconds(input.nowMs);
  const jti = randomUUID();
  const code = await new SignJWT({
    nbf: iat,
    iat,
    exp: iat + input.ttlSeconds,
    iss: input.issuer,
    client_id: input.clientId,
    jti,
  })
    .setProtectedHeader({
      ver: 1,
      typ: "JWT",
      sbt: "authorization_code",
      alg: "RS256",
    })
    .sign(keys.privateKey);
  return { code, jti };
}

export type TokenCheck =
  | { valid: true; payload: JWTPayload; subjectType: string }
  | { valid: false; expired: boolean };

/** Verifies a JWT the simulator issued, against the simulator clock. */
export async function verifyOwnToken(
  keys: TokenKeys,
  token: string,
  expectedType: "access" | "authorization_code",
  nowMs: number,
): Promise<TokenCheck> {
  try {
    const { payload, protectedHeader } = await jwtVerify(
      token,
      keys.publicKey,
      {
        algorithms: ["RS256"],
        currentDate: new Date(nowMs),
      },
    );
    if (protectedHeader.sbt !== expectedType)
      return { valid: false, expired: false };
    return { valid: true, payload, subjectType: String(protectedHeader.sbt) };
  } catch (error) {
    return { valid: false, expired: error instanceof joseErrors.JWTExpired };
  }
}
