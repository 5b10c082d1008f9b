import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import { eq, lt, sql } from "drizzle-orm";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { queryPrepared, type Database } from "../db/client.js";
import { sessions } from "../db/schema.js";
import type { EsiaProfile } from "../domain/esia-profile.js";

/**
 * Server-side sessions. The cookie contains a random token; the `sessions` row
 * is keyed by its SHA-256, so a leaked database does not yield live cookies.
 * A session ends after `idleMinutes` without requests or `absoluteHours`
 * after sign-in, whichever comes first.
 */

export interface Session {
  /** SHA-256 of the cookie token, hex. */
  id: string;
  personOid: string;
  profile: EsiaProfile;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

interface SessionRow {
  id: string;
  person_oid: string;
  profile: EsiaProfile;
  csrf_token: string;
  created_ms: number;
  last_seen_ms: number;
  expires_ms: number;
}

export interface SessionOptions {
  db: Database;
  /** Set the cookie's Secure flag; true when the public URL is https. */
  secureCookies: boolean;
  idleMinutes: number;
  absoluteHours: number;
  cookieName?: string;
  /** Clock in epoch milliseconds. */
  now?: () => number;
}

export interface SessionManager {
  /** Starts a new session for the profile (a new id at every sign-in) and sets the cookie. */
  start(
    request: FastifyRequest,
    reply: FastifyReply,
    profile: EsiaProfile,
  ): Promise<Session>;
  /** Deletes the request's session, if any, and clears the cookie. */
  end(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in person's session, or null. Loaded for `/api/` and `/auth/` requests and by `requireSession`. */
    session: Session | null;
  }
  interface FastifyInstance {
    sessions: SessionManager;
    /** Loads the request's session once; later calls return the same result. */
    loadSession(
      request: FastifyRequest,
      reply: FastifyReply,
    ): Promise<Session | null>;
  }
}

export const SESSION_COOKIE = "gp_session";
const CSRF_HEADER = "x-csrf-token";
const CSRF_FIELD = "_csrf";
/** `last_seen_at` is written at most this often, so reads do not all become writes. */
const TOUCH_INTERVAL_MS = 60_000;
const loaded = Symbol("sessionLoaded");

type LoadableRequest = FastifyRequest & { [loaded]?: boolean };

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

async function sessionPluginBody(
  app: FastifyInstance,
  options: SessionOptions,
): Promise<void> {
  const cookieName = options.cookieName ?? SESSION_COOKIE;
  const now = options.now ?? Date.now;
  const idleMs = options.idleMinutes * 60_000;
  const absoluteMs = options.absoluteHours * 3_600_000;
  const cookieOptions = {
    path: "/",
    httpOnly: true,
    sameSite: "lax" as const,
    secure: options.secureCookies,
  };
  const { db } = options;

  if (!app.hasRequestDecorator("cookies")) await app.register(fastifyCookie);
  app.decorateRequest("session", null);
  // Every signed-in request runs this lookup: a named prepared statement
  // spares PostgreSQL parsing and planning it each time. The times come as
  // epoch milliseconds, which both drivers return as numbers.
  async function findSession(id: string): Promise<Session | undefined> {
    const [row] = await queryPrepared<SessionRow>(
      db,
      sql`select id, person_oid, profile, csrf_token,
        extract(epoch from created_at)::float8 * 1000 as created_ms,
        extract(epoch from last_seen_at)::float8 * 1000 as last_seen_ms,
        extract(epoch from expires_at)::float8 * 1000 as expires_ms
      from sessions where id = ${id}`,
    );
    return (
      row && {
        id: row.id,
        personOid: row.person_oid,
        profile: row.profile,
        csrfToken: row.csrf_token,
        createdAt: new Date(row.created_ms),
        lastSeenAt: new Date(row.last_seen_ms),
        expiresAt: new Date(row.expires_ms),
      }
    );
  }

  async function load(
    request: LoadableRequest,
    reply: FastifyReply,
  ): Promise<Session | null> {
    if (request[loaded]) return request.session;
    request[loaded] = true;
    const token = request.cookies[cookieName];
    if (!token) return null;
    const id = hashToken(token);
    const row = await findSession(id);
    if (!row) {
      reply.clearCookie(cookieName, cookieOptions);
      return null;
    }
    const at = now();
    if (
      row.expiresAt.getTime() <= at ||
      row.lastSeenAt.getTime() + idleMs <= at
    ) {
      await db.delete(sessions).where(eq(sessions.id, id));
      reply.clearCookie(cookieName, cookieOptions);
      request.log.info({ personOid: row.personOid }, "session expired");
      return null;
    }
    if (at - row.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      await db
        .update(sessions)
        .set({ lastSeenAt: new Date(at) })
        .where(eq(sessions.id, id));
    }
    request.session = row;
    return request.session;
  }

  app.decorate("loadSession", load);
  app.decorate("sessions", {
    async start(request, reply, profile) {
      // The old session, if any, ends: a sign-in always gets a new id.
      const previous = request.cookies[cookieName];
      if (previous)
        await db.delete(sessions).where(eq(sessions.id, hashToken(previous)));
      const at = new Date(now());
      await db.delete(sessions).where(lt(sessions.expiresAt, at));
      const token = randomBytes(32).toString("base64url");
      const session: Session = {
        id: hashToken(token),
        personOid: profile.oid,
        profile,
        csrfToken: randomBytes(32).toString("base64url"),
        createdAt: at,
        lastSeenAt: at,
        expiresAt: new Date(at.getTime() + absoluteMs),
      };
      await db.insert(sessions).values(session);
      reply.setCookie(cookieName, token, {
        ...cookieOptions,
        maxAge: Math.floor(absoluteMs / 1000),
      });
      request.session = session;
      (request as LoadableRequest)[loaded] = true;
      return session;
    },
    async end(request, reply) {
      const token = request.cookies[cookieName];
      if (token)
        await db.delete(sessions).where(eq(sessions.id, hashToken(token)));
      reply.clearCookie(cookieName, cookieOptions);
      request.session = null;
    },
  } satisfies SessionManager);

  app.addHook("onRequest", async (request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    if (path.startsWith("/api/") || path.startsWith("/auth/"))
      await load(request, reply);
  });

  // CSRF: unsafe requests of a signed-in browser must carry the session's
  // token. Checked before the body is validated, so a forged request learns
  // nothing of the form's rules.
  app.addHook("preValidation", async (request, reply) => {
    if (!isUnsafe(request.method)) return;
    const path = request.url.split("?")[0] ?? "";
    if (!path.startsWith("/api/") && path !== "/auth/signout") return;
    const session = await load(request, reply);
    if (!session) return;
    if (!sameToken(session.csrfToken, csrfTokenOf(request))) {
      request.log.warn(
        { personOid: session.personOid, path },
        "CSRF token missing or wrong",
      );
      return reply.code(403).send({
        requestId: request.id,
        statusCode: 403,
        error: "csrf_failed",
        message: "Страница устарела: обновите её и повторите действие.",
        details: [],
      });
    }
  });
}

/** Registers sessions: `request.session`, `app.sessions`, the CSRF check. */
export const sessionPlugin = fp(sessionPluginBody, {
  name: "sessions",
  fastify: "5.x",
});

/**
 * preValidation hook for routes that need a signed-in person: sends 401 in
 * the common error format when there is no live session, before the body is
 * validated, so an anonymous caller gets no validation details.
 */
export async function requireSession(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const session = await request.server.loadSession(request, reply);
  if (session) return;
  return reply.code(401).send({
    requestId: request.id,
    statusCode: 401,
    error: "unauthorized",
    message: "Сеанс завершён или истёк: войдите через ЕСИА ещё раз",
    details: [],
  });
}

function isUnsafe(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method);
}

function csrfTokenOf(request: FastifyRequest): string {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === "string" && header) return header;
  const body = request.body as Record<string, unknown> | undefined;
  const field = body && typeof body === "object" ? body[CSRF_FIELD] : undefined;
  return typeof field === "string" ? field : "";
}

function sameToken(expected: string, actual: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}
