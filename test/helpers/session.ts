import { randomBytes } from "node:crypto";
import type { Database } from "../../src/db/client.js";
import { upsertProfile } from "../../src/db/queries/people.js";
import { sessions } from "../../src/db/schema.js";
import type { EsiaProfile } from "../../src/domain/esia-profile.js";
import { hashToken, SESSION_COOKIE } from "../../src/server/session.js";

export interface TestSession {
  /** The `cookie` request header that carries the session token. */
  cookie: string;
  csrfToken: string;
  /** Headers for an unsafe request: the cookie and the CSRF token. */
  headers: Record<string, string>;
}

/**
 * Signs the profile in without ESIA: stores the person and organizations as
 * the sign-in does, and inserts a `sessions` row keyed by the SHA-256 of a
 * random token, as `src/server/session.ts` does. `expiresInMs` below zero
 * gives an expired session.
 */
export async function signInAs(
  db: Database,
  profile: EsiaProfile,
  options: { expiresInMs?: number } = {},
): Promise<TestSession> {
  await upsertProfile(db, profile);
  const token = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(32).toString("base64url");
  const now = Date.now();
  await db.insert(sessions).values({
    id: hashToken(token),
    personOid: profile.oid,
    profile,
    csrfToken,
    createdAt: new Date(now),
    lastSeenAt: new Date(now),
    expiresAt: new Date(now + (options.expiresInMs ?? 3_600_000)),
  });
  const cookie = `${SESSION_COOKIE}=${token}`;
  return { cookie, csrfToken, headers: { cookie, "x-csrf-token": csrfToken } };
}
