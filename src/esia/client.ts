import { randomUUID, type KeyObject } from "node:crypto";
import { errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import type { z } from "zod";
import type {
  EsiaGroup,
  EsiaOrganization,
  EsiaProfile,
} from "../domain/esia-profile.js";
import { EsiaError, extractEsiaCode } from "./errors.js";
import {
  contactsSchema,
  formatEsiaTimestamp,
  groupsSchema,
  loadVerificationKeys,
  ORG_SCOPE_PREFIX,
  personSchema,
  restErrorSchema,
  rolesSchema,
  tokenErrorSchema,
  tokenResponseSchema,
} from "./protocol.js";
import type { EsiaSigner } from "./signer.js";

export interface EsiaLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface EsiaClientOptions {
  /** ESIA host, e.g. `https://esia.gosuslugi.ru` or the simulator's URL. */
  baseUrl: string;
  /** The information system's mnemonic, e.g. `MNSV36`. */
  clientId: string;
  /** `<public URL>/auth/esia/callback`, registered for the client in ESIA. */
  redirectUri: string;
  /** Default `openid fullname email mobile usr_org`. */
  scope?: string;
  signer: EsiaSigner;
  /** 64 hex digits: the GOST R 34.11-2012 (256) hash of the client certificate. */
  certificateHash: string;
  /** PEM certificates or public keys of ESIA's token key; several during a key rotation. */
  verificationKeys: Array<string | KeyObject>;
  /** Expected `iss`. Default `http://<host of baseUrl>/`, the form ESIA uses. */
  issuer?: string;
  /** Allowed clock difference for `nbf` and `exp`. Default 60. */
  clockToleranceSeconds?: number;
  /** Timeout of each HTTP request to ESIA. Default 10 000. */
  timeoutMs?: number;
  /** The organization scope that opens an employee's access groups. Default `org_emps`. */
  groupsScope?: string;
  logger?: EsiaLogger;
  /** Clock in epoch milliseconds. */
  now?: () => number;
}

export interface EsiaTokens {
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
  expiresIn: number;
  /** `urn:esia:sbj_id` of the access token, as a decimal string. */
  personOid: string;
  /** The granted scope as ESIA writes it in the token. */
  scope: string;
}

export interface EsiaClient {
  readonly clientId: string;
  buildAuthorizationUrl(input: { state: string }): Promise<string>;
  exchangeCode(code: string): Promise<EsiaTokens>;
  fetchProfile(accessToken: string, personOid: string): Promise<EsiaProfile>;
  buildLogoutUrl(redirectUrl: string): string;
}

const DEFAULT_SCOPE = "openid fullname email mobile usr_org";
const silentLogger: EsiaLogger = { info() {}, warn() {} };

/**
 * Creates the ESIA client: v2/ac for the authorization request, v3/te for
 * tokens, then the REST calls of the profile. Every failure is an
 * `EsiaError`; every one is also logged with its code for the operator.
 */
export function createEsiaClient(options: EsiaClientOptions): EsiaClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const scope = options.scope ?? DEFAULT_SCOPE;
  const keys = loadVerificationKeys(options.verificationKeys);
  const issuer = options.issuer ?? `http://${new URL(baseUrl).host}/`;
  const tolerance = options.clockToleranceSeconds ?? 60;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const groupsScope = options.groupsScope ?? "org_emps";
  const log = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;

  const fail = (error: EsiaError): never => {
    log.warn(
      {
        esiaErrorCode: error.code,
        esiaCode: error.esiaCode,
        status: error.details.status,
      },
      error.message,
    );
    throw error;
  };

  async function signSecret(text: string): Promise<string> {
    try {
      return (await options.signer.sign(Buffer.from(text, "utf8"))).toString(
        "base64url",
      );
    } catch (error) {
      if (error instanceof EsiaError) return fail(error);
      return fail(
        new EsiaError("signer_failed", `signer failed: ${String(error)}`, {
          cause: error,
        }),
      );
    }
  }

  async function send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const what =
        error instanceof Error && error.name === "TimeoutError"
          ? `timed out after ${timeoutMs} ms`
          : String(error);
      return fail(
        new EsiaError(
          "unavailable",
          `ESIA request ${new URL(url).pathname} failed: ${what}`,
          { cause: error },
        ),
      );
    }
  }

  async function readJson(response: Response, path: string): Promise<unknown> {
    const text = await response.text().catch(() => "");
    try {
      return JSON.parse(text);
    } catch {
      return fail(
        new EsiaError(
          "malformed_response",
          `ESIA ${path} returned ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
          { status: response.status },
        ),
      );
    }
  }

  function parse<T extends z.ZodType>(
    schema: T,
    value: unknown,
    path: string,
  ): z.infer<T> {
    const result = schema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      return fail(
        new EsiaError(
          "malformed_response",
          `ESIA ${path} returned unexpected JSON at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
        ),
      );
    }
    return result.data;
  }

  /** Verifies a token against each configured key in turn, then its claims. */
  async function verifyJwt(
    token: string,
    kind: "access" | "id",
  ): Promise<JWTPayload> {
    let lastError: unknown;
    for (const key of keys) {
      try {
        const { payload, protectedHeader } = await jwtVerify(token, key, {
          algorithms: ["RS256"],
          issuer,
          clockTolerance: tolerance,
          currentDate: new Date(now()),
          ...(kind === "id" ? { audience: options.clientId } : {}),
        });
        if (protectedHeader.sbt !== undefined && protectedHeader.sbt !== kind) {
          return fail(
            new EsiaError(
              "invalid_token",
              `ESIA ${kind} token has sbt=${String(protectedHeader.sbt)}`,
            ),
          );
        }
        return payload;
      } catch (error) {
        if (error instanceof EsiaError) throw error;
        if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
          lastError = error;
          continue;
        }
        return fail(
          new EsiaError(
            "invalid_token",
            `ESIA ${kind} token rejected: ${String(error)}`,
            { cause: error },
          ),
        );
      }
    }
    return fail(
      new EsiaError(
        "invalid_token",
        `ESIA ${kind} token signature matches none of ${keys.length} verification keys`,
        { cause: lastError },
      ),
    );
  }

  /** POST /aas/oauth2/v3/te; `extra` holds the grant's own fields. */
  async function requestToken(
    grantScope: string,
    code: string,
    extra: Record<string, string>,
  ) {
    const state = randomUUID();
    const timestamp = formatEsiaTimestamp(new Date(now()));
    const secret = await signSecret(
      options.clientId +
        grantScope +
        timestamp +
        state +
        options.redirectUri +
        code,
    );
    const body = new URLSearchParams({
      client_id: options.clientId,
      ...extra,
      client_secret: secret,
      client_certificate_hash: options.certificateHash,
      state,
      redirect_uri: options.redirectUri,
      scope: grantScope,
      timestamp,
      token_type: "Bearer",
    });
    const path = "/aas/oauth2/v3/te";
    const response = await send(`${baseUrl}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body,
    });
    if (response.status >= 500) {
      return fail(
        new EsiaError(
          "unavailable",
          `ESIA ${path} returned ${response.status}`,
          { status: response.status },
        ),
      );
    }
    const json = await readJson(response, path);
    if (!response.ok) {
      const error = tokenErrorSchema.safeParse(json);
      const description = error.success
        ? `${error.data.error}: ${error.data.error_description ?? ""}`
        : JSON.stringify(json).slice(0, 300);
      return fail(
        new EsiaError(
          "token_request_failed",
          `ESIA ${path} rejected the ${extra.grant_type} request: ${description}`,
          {
            status: response.status,
            esiaCode: error.success
              ? extractEsiaCode(error.data.error_description)
              : undefined,
          },
        ),
      );
    }
    const tokens = parse(tokenResponseSchema, json, path);
    if (tokens.state !== state) {
      return fail(
        new EsiaError(
          "state_mismatch",
          `ESIA ${path} echoed state ${tokens.state}, expected ${state}`,
        ),
      );
    }
    return tokens;
  }

  async function getJson(path: string, accessToken: string): Promise<unknown> {
    const response = await send(`${baseUrl}${path}`, {
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: "application/json",
      },
    });
    if (response.status >= 500) {
      return fail(
        new EsiaError(
          "unavailable",
          `ESIA ${path} returned ${response.status}`,
          { status: response.status },
        ),
      );
    }
    const json = await readJson(response, path);
    if (!response.ok) {
      const error = restErrorSchema.safeParse(json);
      const esiaCode = error.success ? error.data.code : undefined;
      const code =
        esiaCode === "ESIA-005013" ? "token_expired" : "rest_request_failed";
      return fail(
        new EsiaError(
          code,
          `ESIA ${path} returned ${response.status}: ${error.success ? `${error.data.code} ${error.data.message ?? ""}` : JSON.stringify(json).slice(0, 300)}`,
          {
            status: response.status,
            esiaCode,
          },
        ),
      );
    }
    return json;
  }

  async function fetchGroups(
    orgOid: string,
    personOid: string,
  ): Promise<EsiaGroup[]> {
    const orgScope = `${ORG_SCOPE_PREFIX}${groupsScope}?org_oid=${orgOid}`;
    const tokens = await requestToken(orgScope, "", {
      grant_type: "client_credentials",
    });
    const payload = await verifyJwt(tokens.access_token, "access");
    if (payload.client_id !== options.clientId) {
      return fail(
        new EsiaError(
          "invalid_token",
          `ESIA organization token was issued to ${String(payload.client_id)}`,
        ),
      );
    }
    const path = `/rs/orgs/${orgOid}/emps/${personOid}/grps?embed=(elements)`;
    const groups = parse(
      groupsSchema,
      await getJson(path, tokens.access_token),
      path,
    );
    return groups.elements.map((group) => ({
      grpId: group.grp_id,
      name: group.name,
    }));
  }

  return {
    clientId: options.clientId,

    async buildAuthorizationUrl({ state }) {
      const timestamp = formatEsiaTimestamp(new Date(now()));
      const secret = await signSecret(
        options.clientId + scope + timestamp + state + options.redirectUri,
      );
      const query = new URLSearchParams({
        client_id: options.clientId,
        client_secret: secret,
        client_certificate_hash: options.certificateHash,
        redirect_uri: options.redirectUri,
        scope,
        response_type: "code",
        state,
        timestamp,
        access_type: "online",
      });
      return `${baseUrl}/aas/oauth2/v2/ac?${query.toString()}`;
    },

    async exchangeCode(code) {
      const tokens = await requestToken(scope, code, {
        grant_type: "authorization_code",
        code,
      });
      const access = await verifyJwt(tokens.access_token, "access");
      if (access.client_id !== options.clientId) {
        return fail(
          new EsiaError(
            "invalid_token",
            `ESIA access token was issued to ${String(access.client_id)}`,
          ),
        );
      }
      const subject = access["urn:esia:sbj_id"];
      if (
        typeof subject !== "number" &&
        !(typeof subject === "string" && /^\d+$/.test(subject))
      ) {
        return fail(
          new EsiaError(
            "invalid_token",
            "ESIA access token has no urn:esia:sbj_id",
          ),
        );
      }
      const personOid = String(subject);
      if (tokens.id_token) {
        const id = await verifyJwt(tokens.id_token, "id");
        if (String(id.sub) !== personOid) {
          return fail(
            new EsiaError(
              "invalid_token",
              `ESIA id token subject ${String(id.sub)} differs from access token subject ${personOid}`,
            ),
          );
        }
      }
      log.info({ personOid }, "ESIA code exchanged");
      return {
        accessToken: tokens.access_token,
        idToken: tokens.id_token,
        refreshToken: tokens.refresh_token,
        expiresIn: tokens.expires_in,
        personOid,
        scope: typeof access.scope === "string" ? access.scope : "",
      };
    },

    async fetchProfile(accessToken, personOid) {
      if (!/^\d+$/.test(personOid))
        throw new TypeError(`person oid ${personOid} is not a number`);
      const base = `/rs/prns/${personOid}`;
      const [person, contacts, roles] = await Promise.all([
        getJson(base, accessToken).then((json) =>
          parse(personSchema, json, base),
        ),
        getJson(`${base}/ctts?embed=(elements)`, accessToken).then((json) =>
          parse(contactsSchema, json, `${base}/ctts`),
        ),
        getJson(`${base}/roles`, accessToken).then((json) =>
          parse(rolesSchema, json, `${base}/roles`),
        ),
      ]);
      const organizations: EsiaOrganization[] = await Promise.all(
        roles.elements.map(async (role) => ({
          oid: String(role.oid),
          ogrn: role.ogrn,
          fullName: role.fullName,
          shortName: role.shortName || role.fullName,
          type: role.type,
          chief: role.chief,
          admin: role.admin,
          active: role.active,
          isLiquidated: role.isLiquidated,
          groups: await fetchGroups(String(role.oid), personOid),
        })),
      );
      return {
        oid: personOid,
        lastName: person.lastName,
        firstName: person.firstName,
        middleName: person.middleName || null,
        email: pickContact(contacts.elements, "EML"),
        mobile: pickContact(contacts.elements, "MBT"),
        organizations,
      };
    },

    buildLogoutUrl(redirectUrl) {
      const query = new URLSearchParams({
        client_id: options.clientId,
        redirect_url: redirectUrl,
      });
      return `${baseUrl}/idp/ext/Logout?${query.toString()}`;
    },
  };
}

/** Picks a contact of the type, a verified one first. */
function pickContact(
  contacts: Array<{ type: string; value: string; vrfStu?: string }>,
  type: string,
): string | null {
  const ofType = contacts.filter((contact) => contact.type === type);
  return (
    (ofType.find((contact) => contact.vrfStu === "VERIFIED") ?? ofType[0])
      ?.value ?? null
  );
}
