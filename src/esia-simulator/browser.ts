import {
  createHash,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errorRedirect, type Params } from "./client-checks.js";
import {
  findPersonByLogin,
  type AuthorizationRequest,
  type BrowserSession,
  type SimulatorContext,
} from "./context.js";
import type { FixtureClient } from "./fixture.js";
import {
  consentPage,
  errorPage,
  loginPage,
  sendHtml,
  signedOutPage,
  unavailablePage,
} from "./pages.js";
import { OAuthFailure } from "./protocol.js";
import { signAuthorizationCode } from "./tokens.js";

export const SESSION_COOKIE = "esia_sim_session";

/**
 * Registers the pages shown to a person at the simulator: login, consent,
 * `/idp/ext/Logout` and the placeholder of features the simulator lacks.
 */
export async function browserRoutes(
  app: FastifyInstance,
  { context }: { context: SimulatorContext },
): Promise<void> {
  app.get("/login", (request, reply) => {
    const id = String((request.query as Params).authReq ?? "");
    const authRequest = findAuthorizationRequest(context, id);
    if (!authRequest) return sendExpiredRequest(reply);
    if (currentSession(context, request)) {
      return reply.redirect(`/consent?authReq=${encodeURIComponent(id)}`);
    }
    return sendHtml(
      reply,
      200,
      loginPage({ authorizationRequestId: id, accounts: accounts(context) }),
    );
  });

  app.post("/login", (request, reply) => {
    const body = (request.body ?? {}) as Params;
    const id = String(body.authReq ?? "");
    const authRequest = findAuthorizationRequest(context, id);
    if (!authRequest) return sendExpiredRequest(reply);
    const login = String(body.login ?? "").trim();
    const password = String(body.password ?? "");
    const renderError = (error: string) =>
      sendHtml(
        reply,
        200,
        loginPage({
          authorizationRequestId: id,
          login,
          error,
          accounts: accounts(context),
        }),
      );
    if (!login)
      return renderError("Введите телефон, электронную почту или СНИЛС.");
    if (!password) return renderError("Введите пароль.");
    const person = findPersonByLogin(context.directory, login);
    if (!person || !samePassword(person.password, password)) {
      context.log.info({}, "simulator login failed");
      return renderError(
        "Неверный логин или пароль. Проверьте телефон, электронную почту или СНИЛС и пароль и попробуйте снова.",
      );
    }
    const now = context.now();
    const session: BrowserSession = {
      id: randomBytes(24).toString("base64url"),
      personOid: person.oid,
      authTimeMs: now,
      expiresAtMs: now + context.settings.browserSessionTtlSeconds * 1000,
    };
    context.browserSessions.set(session.id, session);
    reply.setCookie(SESSION_COOKIE, session.id, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: context.publicUrl.startsWith("https:"),
    });
    context.log.info({ personOid: person.oid }, "simulator login succeeded");
    return reply.redirect(`/consent?authReq=${encodeURIComponent(id)}`, 303);
  });

  app.get("/consent", (request, reply) => {
    const id = String((request.query as Params).authReq ?? "");
    const authRequest = findAuthorizationRequest(context, id);
    if (!authRequest) return sendExpiredRequest(reply);
    if (!currentSession(context, request)) {
      return reply.redirect(`/login?authReq=${encodeURIComponent(id)}`);
    }
    return sendHtml(
      reply,
      200,
      consentPage({
        authorizationRequestId: id,
        clientId: authRequest.clientId,
        scopes: authRequest.scopes,
      }),
    );
  });

  app.post("/consent", async (request, reply) => {
    const body = (request.body ?? {}) as Params;
    const id = String(body.authReq ?? "");
    const authRequest = findAuthorizationRequest(context, id);
    if (!authRequest) return sendExpiredRequest(reply);
    const session = currentSession(context, request);
    if (!session)
      return reply.redirect(`/login?authReq=${encodeURIComponent(id)}`, 303);
    // The request is single-use whatever the decision.
    context.authorizationRequests.delete(id);
    if (body.decision !== "grant") {
      context.log.info(
        { clientId: authRequest.clientId, personOid: session.personOid },
        "consent denied",
      );
      const failure = new OAuthFailure("accessDenied");
      return reply.redirect(
        errorRedirect(authRequest.redirectUri, failure, authRequest.state),
        303,
      );
    }
    const code = await issueCode(context, authRequest, session);
    const url = new URL(authRequest.redirectUri);
    url.searchParams.append("code", code);
    url.searchParams.append("state", authRequest.state);
    context.log.info(
      { clientId: authRequest.clientId, personOid: session.personOid },
      "authorization code issued",
    );
    return reply.redirect(url.toString(), 303);
  });

  app.get("/idp/ext/Logout", (request, reply) => {
    const query = request.query as Params;
    const sessionId = request.cookies[SESSION_COOKIE];
    if (sessionId) context.browserSessions.delete(sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: "/" });
    const client = context.directory.clients.get(String(query.client_id ?? ""));
    const redirectUrl =
      typeof query.redirect_url === "string" ? query.redirect_url : "";
    if (client && isAllowedLogoutRedirect(client, redirectUrl)) {
      return reply.redirect(redirectUrl);
    }
    return sendHtml(reply, 200, signedOutPage());
  });

  app.get("/simulator/unavailable", (request, reply) =>
    sendHtml(
      reply,
      200,
      unavailablePage(String((request.query as Params).feature ?? "")),
    ),
  );
}

async function issueCode(
  context: SimulatorContext,
  authRequest: AuthorizationRequest,
  session: BrowserSession,
): Promise<string> {
  const now = context.now();
  const { code, jti } = await signAuthorizationCode(context.keys, {
    issuer: context.issuer,
    clientId: authRequest.clientId,
    nowMs: now,
    ttlSeconds: context.settings.codeTtlSeconds,
  });
  context.codes.set(jti, {
    jti,
    clientId: authRequest.clientId,
    redirectUri: authRequest.redirectUri,
    scopes: authRequest.scopes,
    personOid: session.personOid,
    sid: randomUUID(),
    accessType: authRequest.accessType,
    authTimeMs: session.authTimeMs,
    expiresAtMs: now + context.settings.codeTtlSeconds * 1000,
    used: false,
  });
  if (authRequest.scopes.includes("usr_org")) {
    const grants =
      context.organizationGrants.get(authRequest.clientId) ?? new Set<number>();
    grants.add(session.personOid);
    context.organizationGrants.set(authRequest.clientId, grants);
  }
  return code;
}

function findAuthorizationRequest(
  context: SimulatorContext,
  id: string,
): AuthorizationRequest | null {
  const authRequest = context.authorizationRequests.get(id);
  if (!authRequest) return null;
  const ttl = context.settings.authorizationRequestTtlSeconds * 1000;
  if (authRequest.createdAtMs + ttl < context.now()) {
    context.authorizationRequests.delete(id);
    return null;
  }
  return authRequest;
}

function currentSession(
  context: SimulatorContext,
  request: FastifyRequest,
): BrowserSession | null {
  const id = request.cookies[SESSION_COOKIE];
  if (!id) return null;
  const session = context.browserSessions.get(id);
  if (!session || session.expiresAtMs < context.now()) return null;
  if (!context.directory.persons.has(session.personOid)) return null;
  return session;
}

/** The logout redirect must lead back to a site registered for the client. */
function isAllowedLogoutRedirect(
  client: FixtureClient,
  redirectUrl: string,
): boolean {
  let target: URL;
  try {
    target = new URL(redirectUrl);
  } catch {
    return false;
  }
  return client.redirectUris.some(
    (uri) => new URL(uri).origin === target.origin,
  );
}

function samePassword(expected: string, actual: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(expected), digest(actual));
}

function accounts(context: SimulatorContext) {
  return [...context.directory.persons.values()]
    .filter((person) => person.email)
    .map((person) => ({
      name: [person.lastName, person.firstName, person.middleName]
        .filter(Boolean)
        .join(" "),
      login: person.email!,
    }));
}

function sendExpiredRequest(reply: FastifyReply): FastifyReply {
  return sendHtml(
    reply,
    400,
    errorPage({
      message:
        "Запрос на вход устарел или уже использован. Вернитесь на сайт, с которого вы пришли, и начните вход заново.",
    }),
  );
}
