import type { Directory, FixturePerson } from "./fixture.js";
import type { TokenKeys } from "./tokens.js";

/** A checked `/ac` request waiting for the person to sign in and consent. */
export interface AuthorizationRequest {
  id: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string;
  accessType: "online" | "offline";
  legacy: boolean;
  createdAtMs: number;
}

export interface CodeRecord {
  jti: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  personOid: number;
  sid: string;
  accessType: "online" | "offline";
  authTimeMs: number;
  expiresAtMs: number;
  used: boolean;
}

export interface RefreshRecord {
  clientId: string;
  scopes: string[];
  personOid: number;
  sid: string;
  expiresAtMs: number;
}

/** The browser's sign-in at the simulator, kept in the `esia_sim_session` cookie. */
export interface BrowserSession {
  id: string;
  personOid: number;
  authTimeMs: number;
  expiresAtMs: number;
}

export interface SimulatorSettings {
  clockSkewSeconds: number;
  codeTtlSeconds: number;
  accessTokenTtlSeconds: number;
  idTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  authorizationRequestTtlSeconds: number;
  browserSessionTtlSeconds: number;
}

export interface SimulatorLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** Everything the simulator's routes share: fixture data, keys, clock and in-memory state. */
export interface SimulatorContext {
  directory: Directory;
  keys: TokenKeys;
  issuer: string;
  publicUrl: string;
  settings: SimulatorSettings;
  now(): number;
  log: SimulatorLogger;
  authorizationRequests: Map<string, AuthorizationRequest>;
  codes: Map<string, CodeRecord>;
  refreshTokens: Map<string, RefreshRecord>;
  browserSessions: Map<string, BrowserSession>;
  /** Session ids (`urn:esia:sid`) whose tokens were revoked, e.g. after a replayed code. */
  revokedSids: Set<string>;
  /** Persons who granted `usr_org` to each client; client_credentials org scopes are limited to their organizations. */
  organizationGrants: Map<string, Set<number>>;
}

/** Drops expired records so that a long-running simulator does not grow without bound. */
export function sweepExpired(context: SimulatorContext): void {
  const now = context.now();
  const requestTtl = context.settings.authorizationRequestTtlSeconds * 1000;
  for (const [id, request] of context.authorizationRequests) {
    if (request.createdAtMs + requestTtl < now)
      context.authorizationRequests.delete(id);
  }
  for (const [jti, code] of context.codes) {
    // Used codes stay until expiry so that a replay is recognized as one.
    if (code.expiresAtMs < now) context.codes.delete(jti);
  }
  for (const [token, record] of context.refreshTokens) {
    if (record.expiresAtMs < now) context.refreshTokens.delete(token);
  }
  for (const [id, session] of context.browserSessions) {
    if (session.expiresAtMs < now) context.browserSessions.delete(id);
  }
}

/**
 * Finds the person for a login typed into «Телефон / Email / СНИЛС»: an
 * e-mail (any case), a СНИЛС with or without separators, or a mobile number
 * in any usual format (`+7 900 123-45-67`, `8 (900) 1234567`, `9001234567`).
 */
export function findPersonByLogin(
  directory: Directory,
  login: string,
): FixturePerson | null {
  const trimmed = login.trim();
  if (trimmed.includes("@")) {
    const email = trimmed.toLowerCase();
    for (const person of directory.persons.values()) {
      if (person.email?.toLowerCase() === email) return person;
    }
    return null;
  }
  if (!/^[\d\s()+\-.]+$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, "");
  // A СНИЛС is also 11 digits, so it is tried before the phone number.
  if (digits.length === 11) {
    for (const person of directory.persons.values()) {
      if (person.snils.replace(/\D/g, "") === digits) return person;
    }
  }
  const phone = normalizePhone(digits);
  if (!phone) return null;
  for (const person of directory.persons.values()) {
    if (person.mobile && person.mobile.replace(/\D/g, "") === phone)
      return person;
  }
  return null;
}

/** Returns the 11-digit `7XXXXXXXXXX` form of a Russian mobile number, or null. */
function normalizePhone(digits: string): string | null {
  if (digits.length === 10) return `7${digits}`;
  if (digits.length === 11 && (digits[0] === "7" || digits[0] === "8")) {
    return `7${digits.slice(1)}`;
  }
  return null;
}
