import { isNull } from "drizzle-orm";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { spheres } from "../../db/schema.js";
import {
  CABINET_KINDS,
  CABINET_TYPE_INFO,
  CABINET_TYPES,
} from "../../domain/cabinets.js";
import { REGIONS } from "../../domain/regions.js";
import { requireSession } from "../session.js";

const entrySchema = z.object({ code: z.string(), name: z.string() });

export const dictionariesResponseSchema = z.object({
  regions: z.array(entrySchema),
  cabinetTypes: z.array(
    entrySchema.extend({
      code: z.enum(CABINET_TYPES),
      kinds: z.array(z.enum(CABINET_KINDS)),
      /** The rule for the editorial cabinets a work cabinet of this type binds to. */
      editorialRule: z.enum(["own", "roiv", "omsu"]),
    }),
  ),
  spheres: z.array(entrySchema),
});

/** `GET /api/dictionaries`: the regions, cabinet types and active spheres. */
export const dictionaryRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/api/dictionaries",
    {
      preValidation: requireSession,
      schema: {
        tags: ["dictionaries"],
        summary: "Regions, cabinet types and the spheres offered in the form",
        response: { 200: dictionariesResponseSchema },
      },
    },
    async () => {
      const sphereRows = await app.services.db
        .select({ code: spheres.code, name: spheres.name })
        .from(spheres)
        .where(isNull(spheres.retiredAt));
      return {
        regions: [...REGIONS],
        cabinetTypes: Object.values(CABINET_TYPE_INFO).map((info) => ({
          code: info.code,
          name: info.name,
          kinds: [...info.kinds],
          editorialRule:
            info.editorialRule === "own"
              ? ("own" as const)
              : info.editorialRule.type,
        })),
        // The database may sort by the C locale; sort by Russian rules here.
        spheres: sphereRows.sort((a, b) => a.name.localeCompare(b.name, "ru")),
      };
    },
  );
};
