import type { FastifyBaseLogger } from "fastify";
import type { PlatformOperator } from "../../config.js";
import type { Database } from "../../db/client.js";
import type { AccessGroups } from "../../domain/eligibility.js";

/** What the application services need; built once in buildApp. */
export interface ServiceContext {
  db: Database;
  groups: AccessGroups;
  operators: PlatformOperator[];
  /** PLATFORM_OPERATORS_MAIL: addresses told of editorial-cabinet applications. */
  operatorsMail: string[];
  /** Public base URL, for links in mail. */
  publicUrl: string;
  logger: FastifyBaseLogger;
}

/** Builds the context from the app's configuration and database. */
export function createServiceContext(
  deps: {
    config: {
      groups: AccessGroups;
      platformOperators: PlatformOperator[];
      platformOperatorsMail: string[];
      publicUrl: string;
    };
    database: { db: Database };
  },
  logger: FastifyBaseLogger,
): ServiceContext {
  return {
    db: deps.database.db,
    groups: deps.config.groups,
    operators: deps.config.platformOperators,
    operatorsMail: deps.config.platformOperatorsMail,
    publicUrl: deps.config.publicUrl,
    logger,
  };
}
