import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import fastifyFormbody from "@fastify/formbody";
import fastifyHelmet from "@fastify/helmet";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyInstance,
  type FastifyServerOptions,
} from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { ZodError } from "zod";
import type { Config } from "../config.js";
import type { DatabaseHandle } from "../db/client.js";
import { upsertProfile } from "../db/queries/people.js";
import type { EsiaClient } from "../esia/client.js";
import { serializeError } from "../log-serializers.js";
import {
  isDatabaseUnavailable,
  translateDatabaseError,
} from "./database-errors.js";
import { AppError } from "./errors.js";
import { applicationRoutes } from "./routes/applications.js";
import { dictionaryRoutes } from "./routes/dictionaries.js";
import { editorialCabinetRoutes } from "./routes/editorial-cabinets.js";
import { cabinetRoutes } from "./routes/cabinets.js";
import { healthRoutes } from "./routes/health.js";
import { organizationRoutes } from "./routes/organizations.js";
import { reviewRoutes } from "./routes/review.js";
import { metricsPlugin } from "./metrics.js";
import { authRoutes } from "./routes/auth.js";
import { sessionPlugin } from "./session.js";
import {
  createServiceContext,
  type ServiceContext,
} from "./services/context.js";

export const WEB_DIST = fileURLToPath(
  new URL("../../dist/web", import.meta.url),
);

/** Everything the routes need; main.ts and the tests build it. */
export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  /** Extra services, set by main.ts or tests as the parts land. */
  services?: Record<string, unknown>;
  /** The ESIA client; without it the sign-in routes are not registered. */
  esia?: EsiaClient;
}

declare module "fastify" {
  interface FastifyInstance {
    deps: AppDeps;
    /** Context of the application services, logging through the app's logger. */
    services: ServiceContext;
  }
}

export type App = FastifyInstance;

/** Redacted paths: tokens, cookies and signatures never reach the logs. */
export const LOG_REDACT = [
  "req.headers.cookie",
  "req.headers.authorization",
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  "*.password",
  "*.access_token",
  "*.id_token",
  "*.refresh_token",
  "*.client_secret",
  "*.code",
];

/**
 * Returns the Russian message of a validation issue. Zod's own English
 * messages, which only hand-made requests meet, become a general one.
 */
function russianMessage(path: string, message: string | undefined): string {
  if (message && /[а-яё]/i.test(message)) return message;
  return path === ""
    ? "Отправьте данные запроса объектом JSON"
    : "Недопустимое значение";
}

export function loggerOptions(config: Config): FastifyServerOptions["logger"] {
  return {
    level: config.logLevel,
    redact: LOG_REDACT,
    serializers: {
      err: serializeError,
      // The query string of the ESIA callback contains the code and state, so only the path is logged.
      req: (request: { method: string; url: string; id: string }) => ({
        method: request.method,
        url: request.url.split("?")[0],
        id: request.id,
      }),
    },
  };
}

/**
 * Builds the Fastify application: security headers, cookies, OpenAPI, the
 * error handler, health routes and the built UI. Route plugins of each part
 * register themselves in `registerRoutes`.
 */
export async function buildApp(
  deps: AppDeps,
  options: { logger?: FastifyServerOptions["logger"] } = {},
): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? loggerOptions(deps.config),
    genReqId: () => randomUUID(),
    trustProxy: deps.config.trustProxy,
    bodyLimit: 256 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.decorate("deps", deps);
  app.decorate("services", createServiceContext(deps, app.log));
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        formAction: [
          "'self'",
          ...(deps.config.esia.baseUrl
            ? [deps.config.esia.baseUrl]
            : ["http:", "https:"]),
        ],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    strictTransportSecurity: deps.config.publicUrl.startsWith("https:"),
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "ПОС «Госпаблики»: регистрация кабинетов",
        description:
          "JSON API of the cabinet-registration service. Unsafe methods need the session cookie and the x-csrf-token header from GET /api/session.",
        version: "1.0.0",
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/docs" });
  app.get("/api/openapi.json", { schema: { hide: true } }, () => app.swagger());

  app.setErrorHandler((error, request, reply) => {
    const body = (
      statusCode: number,
      message: string,
      details: unknown[] = [],
      code = "error",
    ) => ({
      requestId: request.id,
      statusCode,
      error: code,
      message,
      details,
    });
    if (error instanceof AppError) {
      if (error.statusCode >= 500)
        request.log.error({ err: error }, "request failed");
      return reply
        .code(error.statusCode)
        .send(body(error.statusCode, error.message, error.details, error.code));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((issue) => {
        const path = issue.instancePath.replace(/^\//, "").replaceAll("/", ".");
        return { path, message: russianMessage(path, issue.message) };
      });
      return reply
        .code(422)
        .send(
          body(422, "Исправьте ошибки в форме", details, "validation_failed"),
        );
    }
    if (error instanceof ZodError) {
      const details = error.issues.map((issue) => {
        const path = issue.path.join(".");
        return { path, message: russianMessage(path, issue.message) };
      });
      return reply
        .code(422)
        .send(
          body(422, "Исправьте ошибки в форме", details, "validation_failed"),
        );
    }
    const translated = translateDatabaseError(error);
    if (translated) {
      request.log.warn(
        { constraint: translated.code },
        "database constraint rejected the request",
      );
      return reply
        .code(translated.statusCode)
        .send(
          body(
            translated.statusCode,
            translated.message,
            translated.details,
            translated.code,
          ),
        );
    }
    const statusCode = (error as { statusCode?: number }).statusCode;
    if (statusCode && statusCode >= 400 && statusCode < 500) {
      const message =
        statusCode === 429
          ? "Слишком много запросов: подождите минуту и повторите"
          : statusCode === 415
            ? "Неподдерживаемый формат запроса: отправьте JSON"
            : statusCode === 413
              ? "Слишком большой запрос"
              : "Некорректный запрос";
      return reply
        .code(statusCode)
        .send(body(statusCode, message, [], "bad_request"));
    }
    if (isDatabaseUnavailable(error)) {
      request.log.error({ err: error }, "database unavailable");
      return reply
        .code(503)
        .header("retry-after", "30")
        .send(
          body(
            503,
            "Сервис временно недоступен. Повторите попытку через минуту.",
            [],
            "unavailable",
          ),
        );
    }
    request.log.error({ err: error }, "unhandled error");
    return reply
      .code(500)
      .send(
        body(
          500,
          "Внутренняя ошибка сервиса. Повторите попытку позже; если ошибка повторяется, сообщите в поддержку номер запроса.",
          [],
          "internal",
        ),
      );
  });

  await app.register(metricsPlugin);
  await app.register(healthRoutes);
  await registerRoutes(app);

  const hasWeb = existsSync(WEB_DIST);
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: WEB_DIST,
      // Files are looked up per request, so a rebuilt UI is served without a restart.
      wildcard: true,
      index: false,
      maxAge: "1h",
    });
    app.get("/", { schema: { hide: true } }, (_request, reply) =>
      reply.header("cache-control", "no-store").sendFile("index.html"),
    );
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const isPage =
      request.method === "GET" &&
      !path.startsWith("/api/") &&
      !path.startsWith("/auth/") &&
      !/\.[a-z0-9]+$/i.test(path);
    if (isPage && hasWeb) {
      // The React UI routes on the client; every page path serves its shell.
      return reply.header("cache-control", "no-store").sendFile("index.html");
    }
    return reply.code(404).send({
      requestId: request.id,
      statusCode: 404,
      error: "not_found",
      message: "Страница или запись не найдена",
      details: [],
    });
  });
  return app;
}

/** Registers each part's routes; the parts add their plugin here. */
async function registerRoutes(app: App): Promise<void> {
  const { config, database, esia } = app.deps;
  // Sessions first: the routes below use requireSession and request.session.
  await app.register(sessionPlugin, {
    db: database.db,
    secureCookies: config.publicUrl.startsWith("https:"),
    idleMinutes: config.session.idleMinutes,
    absoluteHours: config.session.absoluteHours,
  });
  if (esia) {
    await app.register(authRoutes, {
      esia,
      publicUrl: config.publicUrl,
      upsertProfile: (profile) => upsertProfile(database.db, profile),
    });
  }
  await app.register(dictionaryRoutes);
  await app.register(organizationRoutes);
  await app.register(editorialCabinetRoutes);
  await app.register(applicationRoutes);
  await app.register(reviewRoutes);
  await app.register(cabinetRoutes);
  // The mail page exists only while the product runs its own mail catcher;
  // its module (with mailparser) is not loaded otherwise.
  if (config.embedded.mail) {
    const { mailRoutes } = await import("./routes/mail.js");
    await app.register(mailRoutes);
  }
}
