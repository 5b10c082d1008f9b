import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { queryRows } from "../../db/client.js";
import { MIGRATIONS_FOLDER } from "../../db/migrate.js";

const journal = JSON.parse(
  readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8"),
) as { entries: unknown[] };
const EXPECTED_MIGRATIONS = journal.entries.length;

/** `/healthz`: the process is alive. `/readyz`: the database answers and is migrated. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get("/healthz", { schema: { hide: true } }, async () => ({
    status: "ok",
  }));
  app.get("/readyz", { schema: { hide: true } }, async (request, reply) => {
    try {
      const [row] = await queryRows<{ applied: number }>(
        app.deps.database.db,
        sql`select count(*)::int as applied from drizzle.__drizzle_migrations`,
      );
      const applied = row?.applied ?? 0;
      if (applied < EXPECTED_MIGRATIONS) {
        return reply.code(503).send({
          status: "migrating",
          message: `${applied} of ${EXPECTED_MIGRATIONS} migrations applied`,
        });
      }
      return { status: "ready" };
    } catch (error) {
      request.log.warn({ err: error }, "readiness check failed");
      return reply
        .code(503)
        .send({ status: "unavailable", message: "database is not reachable" });
    }
  });
}
