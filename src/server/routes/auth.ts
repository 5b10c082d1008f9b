import { randomUUID } from "node:crypto";
import { signInReturnPath } from "../../domain/return-path.js";
import fastifyRateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { EsiaClient } from "../../esia/client.js";
import {
  EsiaError,
  extractEsiaCode,
  type SignInErrorCode,
} from "../../esia/errors.js";
import type {
  EsiaOrganization,
  EsiaProfile,
} from "../../domain/esia-profile.js";
import { requireSession, type Session } from "../session.js";

export interface AuthRoutesOptions {
  esia: EsiaClient;
  /** Public base URL of the product, without a trailing slash. */
  publicUrl: string;
  /** Stores the person and organizations read at sign-in; runs before the session starts. */
  upsertProfile(profile: EsiaProfile): Promise<void>;
  /** Adds fields (e.g. eligibility) to each organization in `GET /api/session`. */
  describeOrganizations?(session: Session): Promise<unknown[]> | unknown[];
  /** Requests per minute and client address on each sign-in route. Default 30. */
  signInRateLimitPerMinute?: number;
}

const STATE_COOKIE = "gp_esia_state";
const STATE_COOKIE_PATH = "/auth/esia";
/** Time allowed between pressing «Войти через ЕСИА» and returning from ESIA. */
const STATE_TTL_SECONDS = 15 * 60;
const AFTER_SIGN_IN = "/organizations";
/** The page to open after the sign-in, kept from the start to the callback. */
const RETURN_COOKIE = "gp_esia_return";

/**
 * Sign-in through ESIA, sign-out and the session endpoint:
 * `GET /auth/esia/start`, `GET /auth/esia/callback`, `POST /auth/signout`,
 * `GET /api/session`. Needs `sessionPlugin` registered before it.
 */
export async function authRoutes(
  app: FastifyInstance,
  options: AuthRoutesOptions,
): Promise<void> {
  const { esia, publicUrl } = options;
  const secure = publicUrl.startsWith("https:");
  const stateCookie = {
    path: STATE_COOKIE_PATH,
    httpOnly: true,
    sameSite: "lax" as const,
    secure,
  };
  const signInPage = (error: SignInErrorCode) =>
    `/signin?app_name=ku&error=${error}`;

  if (!app.hasDecorator("rateLimit")) {
    await app.register(fastifyRateLimit, { global: false });
  }
  const rateLimit = {
    max: options.signInRateLimitPerMinute ?? 30,
    timeWindow: 60_000,
    errorResponseBuilder: (
      request: FastifyRequest,
      context: { ttl: number },
    ) => ({
      requestId: request.id,
      statusCode: 429,
      error: "rate_limited",
      message: `Слишком много попыток входа. Подождите ${Math.ceil(context.ttl / 1000)} с и попробуйте снова.`,
      details: [],
    }),
  };

  app.get(
    "/auth/esia/start",
    { config: { rateLimit }, schema: { hide: true } },
    async (request, reply) => {
      const state = randomUUID();
      let url: string;
      try {
        url = await esia.buildAuthorizationUrl({ state });
      } catch (error) {
        return redirectWithError(request, reply, error, signInPage);
      }
      reply.setCookie(STATE_COOKIE, state, {
        ...stateCookie,
        maxAge: STATE_TTL_SECONDS,
      });
      const returnPath = signInReturnPath(
        (request.query as Record<string, unknown>).return,
      );
      if (returnPath) {
        reply.setCookie(RETURN_COOKIE, returnPath, {
          ...stateCookie,
          maxAge: STATE_TTL_SECONDS,
        });
      } else {
        reply.clearCookie(RETURN_COOKIE, stateCookie);
      }
      return reply.redirect(url);
    },
  );

  app.get(
    "/auth/esia/callback",
    { config: { rateLimit }, schema: { hide: true } },
    async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const expectedState = request.cookies[STATE_COOKIE];
      const returnPath = signInReturnPath(request.cookies[RETURN_COOKIE]);
      reply.clearCookie(STATE_COOKIE, stateCookie);
      reply.clearCookie(RETURN_COOKIE, stateCookie);

      if (query.error !== undefined) {
        const esiaCode = extractEsiaCode(query.error_description);
        if (query.error === "access_denied" && esiaCode === "ESIA-007004") {
          request.log.info("ESIA sign-in: the person denied access");
          return reply.redirect(signInPage("access_denied"));
        }
        request.log.warn(
          {
            esiaError: String(query.error),
            esiaCode,
            description: String(query.error_description ?? ""),
          },
          "ESIA rejected the authorization request",
        );
        return reply.redirect(signInPage("authorization_failed"));
      }
      if (
        !expectedState ||
        typeof query.state !== "string" ||
        query.state !== expectedState
      ) {
        request.log.warn(
          { hasStateCookie: Boolean(expectedState) },
          "ESIA callback state does not match the one sent",
        );
        return reply.redirect(signInPage("state_mismatch"));
      }
      if (typeof query.code !== "string" || query.code === "") {
        request.log.warn("ESIA callback without a code");
        return reply.redirect(signInPage("malformed_response"));
      }

      try {
        const tokens = await esia.exchangeCode(query.code);
        const profile = await esia.fetchProfile(
          tokens.accessToken,
          tokens.personOid,
        );
        await options.upsertProfile(profile);
        await app.sessions.start(request, reply, profile);
        request.log.info(
          {
            personOid: profile.oid,
            organizations: profile.organizations.length,
          },
          "signed in through ESIA",
        );
      } catch (error) {
        return redirectWithError(request, reply, error, signInPage);
      }
      return reply.redirect(returnPath ?? AFTER_SIGN_IN, 303);
    },
  );

  app.post(
    "/auth/signout",
    { schema: { hide: true } },
    async (request, reply) => {
      const personOid = request.session?.personOid;
      await app.sessions.end(request, reply);
      if (personOid) request.log.info({ personOid }, "signed out");
      // Ending the ESIA session too means the next sign-in requests the password again.
      const logoutUrl = esia.buildLogoutUrl(`${publicUrl}/signin?app_name=ku`);
      if (wantsJson(request)) return reply.send({ redirectTo: logoutUrl });
      return reply.redirect(logoutUrl, 303);
    },
  );

  app.get(
    "/api/session",
    {
      preValidation: requireSession,
      schema: {
        tags: ["session"],
        summary:
          "The signed-in person, their ESIA organizations and the CSRF token",
      },
    },
    async (request) => {
      const session = request.session!;
      const { organizations, ...person } = session.profile;
      return {
        person,
        organizations: options.describeOrganizations
          ? await options.describeOrganizations(session)
          : (organizations satisfies EsiaOrganization[]),
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt.toISOString(),
      };
    },
  );
}

function redirectWithError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  signInPage: (code: SignInErrorCode) => string,
): FastifyReply {
  if (error instanceof EsiaError) {
    // The ESIA client has logged the detail; this line ties it to the request.
    request.log.warn(
      { esiaErrorCode: error.code, esiaCode: error.esiaCode },
      "ESIA sign-in failed",
    );
    return reply.redirect(signInPage(error.code));
  }
  request.log.error({ err: error }, "sign-in failed");
  return reply.redirect(signInPage("internal_error"));
}

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? "").includes("application/json");
}
