import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { searchEditorialCabinets } from "../../db/queries/applicant-editorial-cabinets.js";
import { CABINET_TYPE_INFO } from "../../domain/cabinets.js";
import {
  cabinetTypeSchema,
  regionSchema,
} from "../../domain/application-form.js";
import { NotFoundError } from "../errors.js";
import { requireSession } from "../session.js";

export const EDITORIAL_SEARCH_MAX_LIMIT = 50;

const searchQuerySchema = z.object({
  organizationOid: z
    .string({ error: "Укажите организацию, от которой подаётся заявка" })
    .regex(/^\d{1,20}$/, { message: "Укажите ESIA oid организации цифрами" }),
  region: regionSchema,
  type: cabinetTypeSchema,
  q: z
    .string()
    .max(100, { message: "Сократите текст поиска до 100 символов" })
    .default(""),
  limit: z.coerce
    .number({ error: "Укажите число результатов цифрами" })
    .int()
    .min(1, { message: "Число результатов: от 1" })
    .max(EDITORIAL_SEARCH_MAX_LIMIT, {
      message: `Число результатов: не более ${EDITORIAL_SEARCH_MAX_LIMIT}`,
    })
    .default(20),
});

const searchResponseSchema = z.object({
  /** The rule of the chosen type for the editorial cabinets that fit. */
  rule: z.enum(["own", "roiv", "omsu"]),
  items: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      regionCode: z.string(),
      typeCode: z.string(),
      organizationShortName: z.string(),
    }),
  ),
  /** More cabinets match than `limit`: the person should type more. */
  hasMore: z.boolean(),
});

/**
 * `GET /api/editorial-cabinets`: the editorial cabinets a work cabinet of the
 * chosen region and type may be bound to, searched by name on the server so
 * that the selector stays fast with thousands of cabinets in a region.
 */
export const editorialCabinetRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/api/editorial-cabinets",
    {
      preValidation: requireSession,
      schema: {
        tags: ["applicant"],
        summary:
          "Search the editorial cabinets that fit a work cabinet of a region and type",
        querystring: searchQuerySchema,
        response: { 200: searchResponseSchema },
      },
    },
    async (request) => {
      const { organizationOid, region, type, q, limit } = request.query;
      const profile = request.session!.profile;
      if (!profile.organizations.some((org) => org.oid === organizationOid)) {
        throw new NotFoundError(
          "Организация не найдена среди ваших организаций по данным ЕСИА: выберите её из списка",
        );
      }
      const editorialRule = CABINET_TYPE_INFO[type].editorialRule;
      const rule =
        editorialRule === "own" ? ("own" as const) : editorialRule.type;
      // «РОИВ» and «ОМСУ» work cabinets bind only to the organization's own
      // editorial cabinet of the same type.
      const rows = await searchEditorialCabinets(app.services.db, {
        regionCode: region,
        typeCode: rule === "own" ? type : rule,
        text: q,
        limit,
        organizationOid: rule === "own" ? organizationOid : undefined,
      });
      return {
        rule,
        items: rows.slice(0, limit),
        hasMore: rows.length > limit,
      };
    },
  );
};
