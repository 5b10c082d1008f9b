import { randomUUID, type KeyObject } from "node:crypto";
import type { z } from "zod";
import type {
  EsiaGroup,
  EsiaOrganization,
  EsiaProfile,
} from "../domain/esia-profile.js";
import { EsiaError } from "./errors.js";
import { createEsiaHttp, parseResponse } from "./http.js";
import {
  contactsSchema,
  formatEsiaTimestamp,
  groupsSchema,
  loadVerificationKeys,
  ORG_SCOPE_PREFIX,
  personSchema,
  rolesSchema,
  tokenResponseSchema,
} from "./protocol.js";
import type { EsiaSigner } from "./signer.js";
import { createTokenVerifier } from "./verify.js";

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
const TOKEN_PATH = "/aas/oauth2/v3/te";
const silentLogger: EsiaLogger = { info() {}, warn() {} };

/**
 * Creates the ESIA client: v2/ac for the authorization request, v3/te for
 * tokens, then the REST calls of the profile. Every failure is an
 * `EsiaError`, and each one is logged with its code for the operator.
 */
export function createEsiaClient(options: EsiaClientOptions): EsiaClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const scope = options.scope ?? DEFAULT_SCOPE;
  const groupsScope = options.groupsScope ?? "org_emps";
  const log = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const http = createEsiaHttp(baseUrl, options.timeoutMs ?? 10_000);
  const verifyToken = createTokenVerifier({
    keys: loadVerificationKeys(options.verificationKeys),
    issuer: options.issuer ?? `http://${new URL(baseUrl).host}/`,
    clientId: options.clientId,
    clockToleranceSeconds: options.clockToleranceSeconds ?? 60,
    now,
  });

  /** Runs a public method, logging an `EsiaError` before it propagates. */
  async function logged<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof EsiaError) {
        const { code, esiaCode, details } = error;
        log.warn(
          { esiaErrorCode: code, esiaCode, status: details.status },
          error.message,
        );
      }
      throw error;
    }
  }

  async function signSecret(text: string): Promise<string> {
    let signature: Buffer;
    try {
      signature = await options.signer.sign(Buffer.from(text, "utf8"));
    } catch (error) {
      if (error instanceof EsiaError) throw error;
      throw new EsiaError("signer_failed", `signer failed: ${String(error)}`, {
        cause: error,
      });
    }
    return signature.toString("base64url");
  }

  /**
   * Requests a token at v3/te with a fresh `state` and checks that ESIA
   * echoes it. `grant` contains the grant's own fields.
   */
  async function requestToken(
    grantScope: string,
    grant: Record<string, string>,
  ) {
    const state = randomUUID();
    const timestamp = formatEsiaTimestamp(new Date(now()));
    const code = grant.code ?? "";
    const secret = await signSecret(
      options.clientId +
        grantScope +
        timestamp +
        state +
        options.redirectUri +
        code,
    );
    const form = new URLSearchParams({
      client_id: options.clientId,
      ...grant,
      client_secret: secret,
      client_certificate_hash: options.certificateHash,
      state,
      redirect_uri: options.redirectUri,
      scope: grantScope,
      timestamp,
      token_type: "Bearer",
    });
    const json = await http.postToken(TOKEN_PATH, form, grant.grant_type!);

    const tokens = parseResponse(tokenResponseSchema, json, TOKEN_PATH);
    if (tokens.state !== state) {
      throw new EsiaError(
        "state_mismatch",
        `ESIA ${TOKEN_PATH} echoed state ${tokens.state}, expected ${state}`,
      );
    }
    const access = await verifyToken(tokens.access_token, "access");
    if (access.client_id !== options.clientId) {
      throw new EsiaError(
        "invalid_token",
        `ESIA access token was issued to ${String(access.client_id)}`,
      );
    }
    return { tokens, access };
  }

  async function getParsed<T extends z.ZodType>(
    schema: T,
    path: string,
    accessToken: string,
  ) {
    return parseResponse(schema, await http.getJson(path, accessToken), path);
  }

  /** Reads the person's access groups in one organization with an organization-scoped token. */
  async function fetchGroups(
    orgOid: string,
    personOid: string,
  ): Promise<EsiaGroup[]> {
    const orgScope = `${ORG_SCOPE_PREFIX}${groupsScope}?org_oid=${orgOid}`;
    const { tokens } = await requestToken(orgScope, {
      grant_type: "client_credentials",
    });
    const path = `/rs/orgs/${orgOid}/emps/${personOid}/grps?embed=(elements)`;
    const groups = await getParsed(groupsSchema, path, tokens.access_token);
    return groups.elements.map((group) => ({
      grpId: group.grp_id,
      name: group.name,
    }));
  }

  async function exchangeCode(code: string): Promise<EsiaTokens> {
    const { tokens, access } = await requestToken(scope, {
      grant_type: "authorization_code",
      code,
    });
    const subject = access["urn:esia:sbj_id"];
    const validSubject =
      typeof subject === "number" ||
      (typeof subject === "string" && /^\d+$/.test(subject));
    if (!validSubject) {
      throw new EsiaError(
        "invalid_token",
        "ESIA access token has no urn:esia:sbj_id",
      );
    }
    const personOid = String(subject);
    if (tokens.id_token) {
      const id = await verifyToken(tokens.id_token, "id");
      if (String(id.sub) !== personOid) {
        throw new EsiaError(
          "invalid_token",
          `ESIA id token subject ${String(id.sub)} differs from access token subject ${personOid}`,
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
  }

  async function fetchProfile(
    accessToken: string,
    personOid: string,
  ): Promise<EsiaProfile> {
    if (!/^\d+$/.test(personOid))
      throw new TypeError(`person oid ${personOid} is not a number`);
    const base = `/rs/prns/${personOid}`;
    const [person, contacts, roles] = await Promise.all([
      getParsed(personSchema, base, accessToken),
      getParsed(contactsSchema, `${base}/ctts?embed=(elements)`, accessToken),
      getParsed(rolesSchema, `${base}/roles`, accessToken),
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
  }

  return {
    clientId: options.clientId,

    buildAuthorizationUrl({ state }) {
      return logged(async () => {
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
      });
    },

    exchangeCode: (code) => logged(() => exchangeCode(code)),

    fetchProfile: (accessToken, personOid) =>
      logged(() => fetchProfile(accessToken, personOid)),

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
  const verified = ofType.find((contact) => contact.vrfStu === "VERIFIED");
  return (verified ?? ofType[0])?.value ?? null;
}
