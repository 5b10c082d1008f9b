import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import Fastify, { LogController, type FastifyBaseLogger } from "fastify";
import { authorizeRoutes } from "./authorize.js";
import { browserRoutes } from "./browser.js";
import type { SimulatorContext, SimulatorSettings } from "./context.js";
import { sweepExpired } from "./context.js";
import { loadDirectory, type FixtureClient } from "./fixture.js";
import { restRoutes } from "./rest.js";
import { tokenRoutes } from "./token.js";
import { errorPage } from "./pages.js";

export { FixtureError, type FixtureClient } from "./fixture.js";
export {
  callbackUris,
  generateClientRegistration,
  type ClientRegistration,
} from "./registration.js";

export interface EsiaSimulatorOptions {
  /** TCP port; 0 picks a free one. Default 3001. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** The URL browsers and clients use, when it differs from `http://host:port`. */
  publicUrl?: string;
  /** Fixture files merged in order after the demo fixture. */
  fixtureFiles?: string[];
  /** Load the demo fixture first. Default true. */
  demo?: boolean;
  /** Clients registered after all fixture files, e.g. one with a key generated at start. */
  extraClients?: FixtureClient[];
  /** Allowed difference between a request's `timestamp` and the simulator clock. Default 300. */
  clockSkewSeconds?: number;
  /** Authorization code lifetime. Default 120. */
  codeTtlSeconds?: number;
  /** Access token lifetime. Default 3600, as ESIA. */
  accessTokenTtlSeconds?: number;
  /** ID token lifetime. Default 10800, as ESIA. */
  idTokenTtlSeconds?: number;
  /** Refresh token lifetime. Default 86400. */
  refreshTokenTtlSeconds?: number;
  /** Browser sign-in at the simulator, which skips the login form. Default 3600. */
  browserSessionTtlSeconds?: number;
  /** PEM private key (PKCS#8 or PKCS#1 RSA) that signs tokens; generated at start when absent. */
  tokenSigningKeyPem?: string;
  /** Issuer (`iss`) of the tokens. Default `http://<host of publicUrl>/`, the form ESIA uses. */
  issuer?: string;
  /** Clock in epoch milliseconds; tests move it to expire codes and tokens. */
  now?: () => number;
  /** Fastify logger: false (default) for none, true for pino, or a pino logger. */
  logger?: boolean | FastifyBaseLogger;
}

export interface EsiaSimulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:3001`. */
  url: string;
  /** The `iss` of every token. */
  issuer: string;
  /** SPKI PEM of the token signing key, for the client's `verificationKeys`. */
  tokenVerificationKeyPem: string;
  close(): Promise<void>;
}

const DEFAULTS: SimulatorSettings = {
  clockSkewSeconds: 300,
  codeTtlSeconds: 120,
  accessTokenTtlSeconds: 3600,
  idTokenTtlSeconds: 10800,
  refreshTokenTtlSeconds: 86400,
  authorizationRequestTtlSeconds: 900,
  browserSessionTtlSeconds: 3600,
};

/**
 * Starts the ESIA simulator: loads and checks the fixtures (a bad one throws
 * `FixtureError` before anything listens), then serves the OAuth endpoints,
 * the login and consent pages and the REST API.
 */
export async function startEsiaSimulator(
  options: EsiaSimulatorOptions = {},
): Promise<EsiaSimulator> {
  const directory = loadDirectory({
    demo: options.demo ?? true,
    files: options.fixtureFiles ?? [],
    extraClients: options.extraClients,
  });
  const privateKey = options.tokenSigningKeyPem
    ? createPrivateKey(options.tokenSigningKeyPem)
    : generateTokenKey();
  const publicKey = createPublicKey(privateKey);
  const host = options.host ?? "127.0.0.1";

  const logger = options.logger ?? false;
  // Fastify's request log would write query strings, which carry codes and
  // client_secret, so the simulator logs the path only.
  const app = Fastify({
    ...(typeof logger === "boolean" ? { logger } : { loggerInstance: logger }),
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        path: request.url.split("?")[0],
        statusCode: reply.statusCode,
      },
      "simulator request",
    );
  });
  await app.register(cookie);
  await app.register(formbody);

  // The public URL is known only after listening when the port is 0, so the
  // context is filled in before the first request can arrive.
  const context = {
    directory,
    keys: { privateKey, publicKey },
    settings: {
      clockSkewSeconds: options.clockSkewSeconds ?? DEFAULTS.clockSkewSeconds,
      codeTtlSeconds: options.codeTtlSeconds ?? DEFAULTS.codeTtlSeconds,
      accessTokenTtlSeconds:
        options.accessTokenTtlSeconds ?? DEFAULTS.accessTokenTtlSeconds,
      idTokenTtlSeconds:
        options.idTokenTtlSeconds ?? DEFAULTS.idTokenTtlSeconds,
      refreshTokenTtlSeconds:
        options.refreshTokenTtlSeconds ?? DEFAULTS.refreshTokenTtlSeconds,
      authorizationRequestTtlSeconds: DEFAULTS.authorizationRequestTtlSeconds,
      browserSessionTtlSeconds:
        options.browserSessionTtlSeconds ?? DEFAULTS.browserSessionTtlSeconds,
    },
    now: options.now ?? Date.now,
    log: app.log,
    authorizationRequests: new Map(),
    codes: new Map(),
    refreshTokens: new Map(),
    browserSessions: new Map(),
    revokedSids: new Set(),
    organizationGrants: new Map(),
    issuer: "",
    publicUrl: "",
  } satisfies SimulatorContext;

  await app.register(authorizeRoutes, { context });
  await app.register(browserRoutes, { context });
  await app.register(tokenRoutes, { context });
  await app.register(restRoutes, { context });
  app.get("/simulator/token-signing-key.pem", (_request, reply) =>
    reply
      .type("application/x-pem-file")
      .send(publicKey.export({ type: "spki", format: "pem" })),
  );
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith("/rs/")) {
      return reply.code(404).send({
        code: "ESIA-005404",
        message: "CommonErrorEnum.objectNotFound",
      });
    }
    return reply
      .code(404)
      .type("text/html; charset=utf-8")
      .send(errorPage({ message: "Страница не найдена." }));
  });
  app.setErrorHandler((error, request, reply) => {
    request.log.error({ err: error }, "simulator request failed");
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (request.url.startsWith("/aas/oauth2/") && request.method === "POST") {
      return reply.code(status >= 500 ? 500 : 400).send({
        error: status >= 500 ? "server_error" : "invalid_request",
        error_description: `ESIA-007007: ${error instanceof Error ? error.message : "Internal error"}`,
      });
    }
    return reply
      .code(status >= 500 ? 500 : status)
      .type("text/html; charset=utf-8")
      .send(
        errorPage({
          message: "Внутренняя ошибка симулятора ЕСИА.",
          code: "ESIA-007007",
        }),
      );
  });

  await app.listen({ port: options.port ?? 3001, host });
  const address = app.server.address();
  const port =
    typeof address === "object" && address ? address.port : options.port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const url = (options.publicUrl ?? `http://${urlHost}:${port}`).replace(
    /\/+$/,
    "",
  );
  context.publicUrl = url;
  context.issuer = options.issuer ?? `http://${new URL(url).host}/`;

  const sweeper = setInterval(() => sweepExpired(context), 60_000);
  sweeper.unref();

  return {
    url,
    issuer: context.issuer,
    tokenVerificationKeyPem: publicKey
      .export({ type: "spki", format: "pem" })
      .toString(),
    async close() {
      clearInterval(sweeper);
      await app.close();
    },
  };
}

function generateTokenKey(): KeyObject {
  return generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
}
