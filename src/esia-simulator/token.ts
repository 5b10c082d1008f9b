import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply } from "fastify";
import {
  checkCertificateHash,
  checkClientSecret,
  checkState,
  checkTimestamp,
  failureError,
  required,
  single,
  type Params,
} from "./client-checks.js";
import { employmentKey, type FixtureClient } from "./fixture.js";
import type { SimulatorContext } from "./context.js";
import { OAuthFailure, parseScope, splitScope } from "./protocol.js";
import { signAccessToken, signIdToken, verifyOwnToken } from "./tokens.js";

type Version = "v1" | "current";

interface TokenResponse {
  access_token: string;
  expires_in: number;
  state: string;
  token_type: "Bearer";
  id_token?: string;
  refresh_token?: string;
}

/** `POST /aas/oauth2/v3/te` and the legacy `POST /aas/oauth2/te`. */
export async function tokenRoutes(
  app: FastifyInstance,
  { context }: { context: SimulatorContext },
): Promise<void> {
  app.post("/aas/oauth2/v3/te", (request, reply) =>
    handleToken(context, (request.body ?? {}) as Params, reply, "current"),
  );
  app.post("/aas/oauth2/te", (request, reply) =>
    handleToken(context, (request.body ?? {}) as Params, reply, "v1"),
  );
}

async function handleToken(
  context: SimulatorContext,
  params: Params,
  reply: FastifyReply,
  version: Version,
): Promise<FastifyReply> {
  reply.header("cache-control", "no-store").header("pragma", "no-cache");
  let state: string | undefined;
  try {
    state = single(params, "state");
    const response = await issueTokens(context, params, version);
    return reply.code(200).send(response);
  } catch (error) {
    if (!(error instanceof OAuthFailure)) throw error;
    context.log.warn(
      {
        clientId: params.client_id,
        grantType: params.grant_type,
        esiaError: error.description,
      },
      "token request rejected",
    );
    return reply.code(400).send({
      error: failureError(error),
      error_description: error.description,
      ...(state === undefined ? {} : { state }),
    });
  }
}

async function issueTokens(
  context: SimulatorContext,
  params: Params,
  version: Version,
): Promise<TokenResponse> {
  const clientId = required(params, "client_id");
  const client = context.directory.clients.get(clientId);
  if (!client) throw new OAuthFailure("unknownClient", `[${clientId}]`);
  const grantType = required(params, "grant_type");
  if (
    !["authorization_code", "refresh_token", "client_credentials"].includes(
      grantType,
    )
  ) {
    throw new OAuthFailure("unsupportedGrantType", `[${grantType}]`);
  }
  const scope = required(params, "scope");
  const state = required(params, "state");
  const timestamp = required(params, "timestamp");
  const clientSecret = required(params, "client_secret");
  const certificateHash =
    version === "current"
      ? required(params, "client_certificate_hash")
      : undefined;
  const code =
    grantType === "authorization_code" ? required(params, "code") : "";
  const needsRedirect =
    version === "current" || grantType === "authorization_code";
  const redirectUri = needsRedirect ? required(params, "redirect_uri") : "";
  const tokenType = single(params, "token_type");
  if (tokenType !== undefined && tokenType !== "Bearer") {
    throw new OAuthFailure("invalidParameter", "[token_type] must be Bearer.");
  }

  checkState(state);
  checkTimestamp(context, timestamp);
  if (certificateHash !== undefined)
    checkCertificateHash(client, certificateHash);
  const signedString =
    version === "current"
      ? client.clientId + scope + timestamp + state + redirectUri + code
      : scope + timestamp + client.clientId + state;
  checkClientSecret(context, client, version, signedString, clientSecret);

  const scopes = splitScope(scope);
  switch (grantType) {
    case "authorization_code":
      return exchangeCode(context, client, code, redirectUri, scopes, state);
    case "refresh_token":
      return refresh(
        context,
        client,
        required(params, "refresh_token"),
        scopes,
        state,
      );
    default:
      return clientCredentials(context, client, scopes, state);
  }
}

async function exchangeCode(
  context: SimulatorContext,
  client: FixtureClient,
  code: string,
  redirectUri: string,
  requestedScopes: string[],
  state: string,
): Promise<TokenResponse> {
  const now = context.now();
  const checked = await verifyOwnToken(
    context.keys,
    code,
    "authorization_code",
    now,
  );
  if (!checked.valid) {
    throw new OAuthFailure(
      "invalidGrant",
      checked.expired
        ? "The code has expired."
        : "The code was not issued by ESIA.",
    );
  }
  const record = context.codes.get(String(checked.payload.jti));
  if (!record) throw new OAuthFailure("invalidGrant", "The code is unknown.");
  if (record.used) {
    // A replayed code may mean it leaked: the tokens issued for it are revoked.
    context.revokedSids.add(record.sid);
    context.log.warn(
      { clientId: client.clientId, sid: record.sid },
      "authorization code replayed; tokens revoked",
    );
    throw new OAuthFailure("invalidGrant", "The code has already been used.");
  }
  if (record.expiresAtMs <= now)
    throw new OAuthFailure("invalidGrant", "The code has expired.");
  if (record.clientId !== client.clientId) {
    throw new OAuthFailure(
      "invalidGrant",
      "The code was issued to another client.",
    );
  }
  if (record.redirectUri !== redirectUri) {
    throw new OAuthFailure(
      "invalidGrant",
      "[redirect_uri] differs from the authorization request.",
    );
  }
  const notGranted = requestedScopes.filter(
    (name) => !record.scopes.includes(name),
  );
  if (notGranted.length > 0) {
    throw new OAuthFailure(
      "invalidScope",
      `[${notGranted.join(" ")}] was not granted.`,
    );
  }
  record.used = true;

  const person = context.directory.persons.get(record.personOid);
  if (!person)
    throw new OAuthFailure("invalidGrant", "The person no longer exists.");
  const response: TokenResponse = {
    access_token: await signAccessToken(context.keys, {
      issuer: context.issuer,
      clientId: client.clientId,
      sid: record.sid,
      personOid: record.personOid,
      scope: personScopeClaim(requestedScopes, record.personOid),
      nowMs: now,
      ttlSeconds: context.settings.accessTokenTtlSeconds,
    }),
    expires_in: context.settings.accessTokenTtlSeconds,
    state,
    token_type: "Bearer",
  };
  if (requestedScopes.includes("openid")) {
    response.id_token = await signIdToken(context.keys, {
      issuer: context.issuer,
      clientId: client.clientId,
      sid: record.sid,
      personOid: record.personOid,
      trusted: person.trusted,
      authTimeMs: record.authTimeMs,
      nowMs: now,
      ttlSeconds: context.settings.idTokenTtlSeconds,
    });
  }
  if (record.accessType === "offline") {
    response.refresh_token = issueRefreshToken(
      context,
      client,
      requestedScopes,
      record.personOid,
      record.sid,
    );
  }
  return response;
}

async function refresh(
  context: SimulatorContext,
  client: FixtureClient,
  refreshToken: string,
  requestedScopes: string[],
  state: string,
): Promise<TokenResponse> {
  const now = context.now();
  const record = context.refreshTokens.get(refreshToken);
  if (
    !record ||
    record.expiresAtMs <= now ||
    record.clientId !== client.clientId
  ) {
    throw new OAuthFailure(
      "invalidGrant",
      "The refresh token is invalid or expired.",
    );
  }
  if (context.revokedSids.has(record.sid)) {
    throw new OAuthFailure("invalidGrant", "The refresh token was revoked.");
  }
  const notGranted = requestedScopes.filter(
    (name) => !record.scopes.includes(name),
  );
  if (notGranted.length > 0) {
    throw new OAuthFailure(
      "invalidScope",
      `[${notGranted.join(" ")}] was not granted.`,
    );
  }
  // Refresh tokens rotate: the old one is spent.
  context.refreshTokens.delete(refreshToken);
  return {
    access_token: await signAccessToken(context.keys, {
      issuer: context.issuer,
      clientId: client.clientId,
      sid: record.sid,
      personOid: record.personOid,
      scope: personScopeClaim(requestedScopes, record.personOid),
      nowMs: now,
      ttlSeconds: context.settings.accessTokenTtlSeconds,
    }),
    expires_in: context.settings.accessTokenTtlSeconds,
    state,
    token_type: "Bearer",
    refresh_token: issueRefreshToken(
      context,
      client,
      requestedScopes,
      record.personOid,
      record.sid,
    ),
  };
}

/**
 * Issues a system token for organization scopes. The client learns of an
 * organization only from a person who gave it `usr_org`, so the token is
 * granted only for organizations that employ such a person. Any other
 * organization gets ESIA-007194.
 */
async function clientCredentials(
  context: SimulatorContext,
  client: FixtureClient,
  requestedScopes: string[],
  state: string,
): Promise<TokenResponse> {
  const grantedPersons =
    context.organizationGrants.get(client.clientId) ?? new Set<number>();
  for (const name of requestedScopes) {
    const parsed = parseScope(name);
    if (parsed?.kind !== "organization")
      throw new OAuthFailure("invalidScope", `[${name}]`);
    const orgOid = parsed.scope.orgOid;
    const employed = [...grantedPersons].some((personOid) =>
      context.directory.employments.has(employmentKey(personOid, orgOid)),
    );
    if (!employed) throw new OAuthFailure("notEmployee", `[org_oid=${orgOid}]`);
  }
  const now = context.now();
  return {
    access_token: await signAccessToken(context.keys, {
      issuer: context.issuer,
      clientId: client.clientId,
      sid: randomUUID(),
      scope: requestedScopes.join(" "),
      nowMs: now,
      ttlSeconds: context.settings.accessTokenTtlSeconds,
    }),
    expires_in: context.settings.accessTokenTtlSeconds,
    state,
    token_type: "Bearer",
  };
}

/** `openid fullname?oid=1 email?oid=1 …`: every person scope but `openid` names the person. */
function personScopeClaim(scopes: string[], personOid: number): string {
  return scopes
    .map((name) => (name === "openid" ? name : `${name}?oid=${personOid}`))
    .join(" ");
}

function issueRefreshToken(
  context: SimulatorContext,
  client: FixtureClient,
  scopes: string[],
  personOid: number,
  sid: string,
): string {
  const token = randomUUID();
  context.refreshTokens.set(token, {
    clientId: client.clientId,
    scopes,
    personOid,
    sid,
    expiresAtMs: context.now() + context.settings.refreshTokenTtlSeconds * 1000,
  });
  return token;
}
