/**
 * Request formats and error codes of the ESIA OAuth endpoints, as the
 * simulator checks them.
 */

/** ESIA's `timestamp`: `yyyy.MM.dd HH:mm:ss Z`, e.g. `2025.09.02 13:00:29 +0300`. */
const TIMESTAMP =
  /^(\d{4})\.(\d{2})\.(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** Parses an ESIA timestamp into epoch milliseconds, or returns null when malformed. */
export function parseEsiaTimestamp(value: string): number | null {
  const match = TIMESTAMP.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second, sign, offH, offM] = match
    .slice(1)
    .map((part, index) => (index === 6 ? part : Number(part))) as [
    number,
    number,
    number,
    number,
    number,
    number,
    string,
    number,
    number,
  ];
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offH > 14 ||
    offM > 59
  ) {
    return null;
  }
  const offsetMs = (offH * 60 + offM) * 60_000 * (sign === "+" ? 1 : -1);
  return local - offsetMs;
}

/** Lowercase UUID with dashes, as ESIA requires for `state`. */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(
    value,
  );
}

/** Person scopes the simulator grants; full-URI person scopes are rejected as ESIA does. */
export const PERSON_SCOPES = new Set([
  "openid",
  "fullname",
  "birthdate",
  "gender",
  "snils",
  "inn",
  "id_doc",
  "birthplace",
  "email",
  "mobile",
  "contacts",
  "addresses",
  "usr_org",
  "usr_avt",
]);

export const ORGANIZATION_SCOPES = new Set([
  "org_shortname",
  "org_fullname",
  "org_type",
  "org_ogrn",
  "org_inn",
  "org_leg",
  "org_kpp",
  "org_ctts",
  "org_addrs",
  "org_grps",
  "org_emps",
]);

/** The literal prefix of organization scopes, `http` even on ESIA's test stand. */
export const ORG_SCOPE_PREFIX = "http://esia.gosuslugi.ru/";

export interface OrganizationScope {
  name: string;
  orgOid: number;
}

export type ParsedScope =
  | { kind: "person"; name: string }
  | { kind: "organization"; scope: OrganizationScope };

/** Parses one scope; returns null for an unknown or malformed one. */
export function parseScope(value: string): ParsedScope | null {
  if (PERSON_SCOPES.has(value)) return { kind: "person", name: value };
  if (!value.startsWith(ORG_SCOPE_PREFIX)) return null;
  const match = /^([a-z_]+)\?org_oid=(\d{1,16})$/.exec(
    value.slice(ORG_SCOPE_PREFIX.length),
  );
  if (!match || !ORGANIZATION_SCOPES.has(match[1]!)) return null;
  return {
    kind: "organization",
    scope: { name: match[1]!, orgOid: Number(match[2]) },
  };
}

export function splitScope(value: string): string[] {
  return value.split(" ").filter((part) => part.length > 0);
}

/**
 * ESIA OAuth error codes the simulator returns. The `error` values follow
 * RFC 6749 where ESIA is known to use them; the descriptions are the
 * simulator's own English wording after the code, as ESIA formats them.
 */
export const OAUTH_ERRORS = {
  certificateMismatch: {
    code: "ESIA-007002",
    error: "invalid_client",
    text: "The certificate hash does not match the information system.",
  },
  invalidParameter: {
    code: "ESIA-007003",
    error: "invalid_request",
    text: "A request parameter is missing, invalid or repeated.",
  },
  accessDenied: {
    code: "ESIA-007004",
    error: "access_denied",
    text: "The resource owner or authorization server denied the request.",
  },
  unauthorizedClient: {
    code: "ESIA-007005",
    error: "unauthorized_client",
    text: "The client is not allowed to use this method.",
  },
  invalidScope: {
    code: "ESIA-007006",
    error: "invalid_scope",
    text: "The requested scope is invalid or unknown.",
  },
  invalidGrant: {
    code: "ESIA-007011",
    error: "invalid_grant",
    text: "The authorization code or refresh token is invalid, expired, revoked or was issued for another redirect URI.",
  },
  unsupportedResponseType: {
    code: "ESIA-007012",
    error: "unsupported_response_type",
    text: "The response type is not supported.",
  },
  missingParameter: {
    code: "ESIA-007014",
    error: "invalid_request",
    text: "A mandatory parameter is missing.",
  },
  wrongTime: {
    code: "ESIA-007015",
    error: "invalid_request",
    text: "The request time differs too much from the server time.",
  },
  unsupportedGrantType: {
    code: "ESIA-007009",
    error: "unsupported_grant_type",
    text: "The grant type is not supported.",
  },
  redirectUriNotRegistered: {
    code: "ESIA-007023",
    error: "invalid_request",
    text: "The redirect URI is not registered for the information system.",
  },
  clientSecretWrong: {
    code: "ESIA-007053",
    error: "access_denied",
    text: "The client secret signature is invalid.",
  },
  notEmployee: {
    code: "ESIA-007194",
    error: "invalid_scope",
    text: "The organization scope was requested for an organization the user is not employed by.",
  },
  unknownClient: {
    code: "ESIA-008010",
    error: "invalid_client",
    text: "Client authentication failed: the information system is not registered.",
  },
} as const;

export type OAuthErrorName = keyof typeof OAUTH_ERRORS;

export class OAuthFailure extends Error {
  constructor(
    readonly kind: OAuthErrorName,
    readonly detail?: string,
  ) {
    super(OAUTH_ERRORS[kind].text);
  }

  get description(): string {
    const entry = OAUTH_ERRORS[this.kind];
    return `${entry.code}: ${entry.text}${this.detail ? ` ${this.detail}` : ""}`;
  }
}

/** REST error bodies, `{ code, message }` as ESIA sends them. */
export const REST_ERRORS = {
  invalidToken: {
    status: 401,
    code: "ESIA-005011",
    message: "SecurityErrorEnum.invalidToken",
  },
  expiredToken: {
    status: 401,
    code: "ESIA-005013",
    message: "SecurityErrorEnum.expiredToken",
  },
  scopeNotAllowed: {
    status: 403,
    code: "ESIA-005029",
    message: "SecurityErrorEnum.scopeNotAllowed",
  },
  // NOTE: the code ESIA returns for a missing object is not known; this one
  // is the simulator's choice.
  notFound: {
    status: 404,
    code: "ESIA-005404",
    message: "CommonErrorEnum.objectNotFound",
  },
} as const;

export type RestErrorName = keyof typeof REST_ERRORS;
