import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  checkCertificateHash,
  checkClientSecret,
  checkState,
  checkTimestamp,
  errorRedirect,
  required,
  single,
  type Params,
} from "./client-checks.js";
import {
  sweepExpired,
  type AuthorizationRequest,
  type SimulatorContext,
} from "./context.js";
import type { FixtureClient } from "./fixture.js";
import { errorPage, sendHtml } from "./pages.js";
import {
  OAUTH_ERRORS,
  OAuthFailure,
  parseScope,
  splitScope,
} from "./protocol.js";

/**
 * Registers `/aas/oauth2/v2/ac` and the legacy `/aas/oauth2/ac`. A valid
 * request is stored and the browser goes on to the login page.
 */
export async function authorizeRoutes(
  app: FastifyInstance,
  { context }: { context: SimulatorContext },
): Promise<void> {
  app.get("/aas/oauth2/v2/ac", (request, reply) =>
    handleAuthorize(context, request, reply, "current"),
  );
  app.get("/aas/oauth2/ac", (request, reply) =>
    handleAuthorize(context, request, reply, "v1"),
  );
}

async function handleAuthorize(
  context: SimulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  version: "v1" | "current",
): Promise<FastifyReply> {
  const params = request.query as Params;
  // Without a registered client and redirect URI there is nowhere safe to
  // send an error, so ESIA shows its own page.
  let client: FixtureClient | undefined;
  let redirectUri: string;
  try {
    const clientId = required(params, "client_id");
    client = context.directory.clients.get(clientId);
    if (!client) {
      return sendOAuthPage(
        reply,
        new OAuthFailure("unknownClient"),
        `Информационная система «${clientId}» не зарегистрирована в ЕСИА.`,
      );
    }
    redirectUri = required(params, "redirect_uri");
  } catch (error) {
    if (!(error instanceof OAuthFailure)) throw error;
    return sendOAuthPage(
      reply,
      error,
      "В запросе на вход не хватает параметров информационной системы.",
    );
  }
  if (!client.redirectUris.includes(redirectUri)) {
    context.log.warn(
      { clientId: client.clientId, redirectUri },
      "redirect_uri not registered",
    );
    return sendOAuthPage(
      reply,
      new OAuthFailure("redirectUriNotRegistered"),
      `Адрес возврата не зарегистрирован для информационной системы «${client.clientId}».`,
    );
  }

  let state: string | undefined;
  try {
    state = single(params, "state");
    const authRequest = checkAuthorizeParams(
      context,
      client,
      redirectUri,
      params,
      version,
    );
    sweepExpired(context);
    context.authorizationRequests.set(authRequest.id, authRequest);
    return reply.redirect(
      `/login?authReq=${encodeURIComponent(authRequest.id)}`,
    );
  } catch (error) {
    if (!(error instanceof OAuthFailure)) throw error;
    context.log.warn(
      { clientId: client.clientId, esiaError: error.description },
      "authorization request rejected",
    );
    return reply.redirect(errorRedirect(redirectUri, error, state));
  }
}

function checkAuthorizeParams(
  context: SimulatorContext,
  client: FixtureClient,
  redirectUri: string,
  params: Params,
  version: "v1" | "current",
): AuthorizationRequest {
  const responseType = required(params, "response_type");
  if (responseType !== "code")
    throw new OAuthFailure("unsupportedResponseType");
  const scope = required(params, "scope");
  const state = required(params, "state");
  const timestamp = required(params, "timestamp");
  const clientSecret = required(params, "client_secret");
  const certificateHash =
    version === "current"
      ? required(params, "client_certificate_hash")
      : undefined;
  const scopeOrg = single(params, "scope_org") ?? "";
  const accessType = single(params, "access_type") ?? "online";

  checkState(state);
  checkTimestamp(context, timestamp);
  if (certificateHash !== undefined)
    checkCertificateHash(client, certificateHash);
  const scopes = splitScope(scope);
  for (const name of scopes) {
    if (parseScope(name)?.kind !== "person") {
      throw new OAuthFailure("invalidScope", `[${name}]`);
    }
  }
  if (accessType !== "online" && accessType !== "offline") {
    throw new OAuthFailure(
      "invalidParameter",
      "[access_type] must be online or offline.",
    );
  }
  const signedString =
    version === "current"
      ? client.clientId + scope + scopeOrg + timestamp + state + redirectUri
      : scope + timestamp + client.clientId + state;
  checkClientSecret(context, client, version, signedString, clientSecret);

  return {
    id: randomUUID(),
    clientId: client.clientId,
    redirectUri,
    scopes,
    state,
    accessType,
    legacy: version === "v1",
    createdAtMs: context.now(),
  };
}

function sendOAuthPage(
  reply: FastifyReply,
  failure: OAuthFailure,
  message: string,
): FastifyReply {
  return sendHtml(
    reply,
    400,
    errorPage({ message, code: OAUTH_ERRORS[failure.kind].code }),
  );
}
