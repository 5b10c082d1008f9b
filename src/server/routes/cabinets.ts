import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  listBoundCabinets,
  loadCabinet,
  loadCabinetHeader,
  type BoundCabinetCursor,
  type CabinetHeader,
} from "../../db/queries/review-cabinets.js";
import { CABINET_KINDS } from "../../domain/cabinets.js";
import { hasCabinetAccess } from "../../domain/eligibility.js";
import type { EsiaProfile } from "../../domain/esia-profile.js";
import { NotFoundError, ValidationError } from "../errors.js";
import type { ServiceContext } from "../services/context.js";
import { requireSession } from "../session.js";
import {
  auditEventSchema,
  errorSchema,
  namedCodeSchema,
  resolveReviewScope,
  scopeCoversCabinet,
} from "./review.js";

const idParamsSchema = z.object({
  id: z.uuid({
    message: "Номер кабинета в адресе неверен: откройте кабинет из списка",
  }),
});

const cabinetSchema = z.object({
  id: z.uuid(),
  kind: z.enum(CABINET_KINDS),
  name: z.string(),
  status: z.enum(["active", "closed"]),
  organization: z.object({
    oid: z.string(),
    fullName: z.string(),
    shortName: z.string(),
    ogrn: z.string(),
  }),
  region: namedCodeSchema,
  type: namedCodeSchema,
  editorialCabinet: z
    .object({
      id: z.uuid(),
      name: z.string(),
      /** The person may open the editorial cabinet's page. */
      visible: z.boolean(),
    })
    .nullable(),
  spheres: z.array(namedCodeSchema),
  email: z.string(),
  createdAt: z.string(),
  application: z.object({ id: z.uuid(), reference: z.string() }).nullable(),
  history: z.array(auditEventSchema),
  /** For an editorial cabinet: the person may see and work its review queue. */
  canReview: z.boolean(),
});

const boundListSchema = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      status: z.enum(["active", "closed"]),
      organizationName: z.string(),
      ogrn: z.string(),
      typeName: z.string(),
      createdAt: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const boundQuerySchema = z.object({
  cursor: z.string().max(600).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/**
 * Checks whether the person may see the cabinet. An active employee of its
 * organization in the access group of its kind may, and so may a platform
 * operator of its region. A work cabinet is also visible to the people with
 * access to the editorial cabinet it is bound to, the body that supervises it.
 */
async function canSeeCabinet(
  ctx: ServiceContext,
  actor: EsiaProfile,
  cabinet: CabinetHeader,
): Promise<{ visible: boolean; reviews: boolean }> {
  const scope = await resolveReviewScope(ctx, actor);
  const organization = actor.organizations.find(
    (org) => org.oid === cabinet.organizationOid,
  );
  const member =
    organization !== undefined &&
    hasCabinetAccess(organization, cabinet.kind, ctx.groups);
  const regions = scope.operatorRegions;
  const operator =
    regions === "all" || (regions?.includes(cabinet.regionCode) ?? false);
  const supervisor =
    cabinet.editorialCabinetId !== null &&
    scope.editorialCabinetIds.includes(cabinet.editorialCabinetId);
  return {
    visible: member || operator || supervisor,
    reviews: cabinet.kind === "editorial" && scopeCoversCabinet(scope, cabinet),
  };
}

async function findVisibleCabinet(
  ctx: ServiceContext,
  actor: EsiaProfile,
  cabinetId: string,
): Promise<{ header: CabinetHeader; reviews: boolean }> {
  const header = await loadCabinetHeader(ctx.db, cabinetId);
  if (!header) throw new NotFoundError("Кабинет не найден");
  const access = await canSeeCabinet(ctx, actor, header);
  // Another organization's cabinet: do not reveal that it exists.
  if (!access.visible) throw new NotFoundError("Кабинет не найден");
  return { header, reviews: access.reviews };
}

const cursorSchema = z.tuple([z.string().min(1), z.uuid()]);

function encodeCursor(cursor: BoundCabinetCursor): string {
  return Buffer.from(JSON.stringify([cursor.name, cursor.id])).toString(
    "base64url",
  );
}

function decodeCursor(value: string): BoundCabinetCursor {
  try {
    const [name, id] = cursorSchema.parse(
      JSON.parse(Buffer.from(value, "base64url").toString("utf8")),
    );
    return { name, id };
  } catch {
    const message =
      "Ссылка на страницу списка устарела: откройте список заново";
    throw new ValidationError([{ path: "cursor", message }], message);
  }
}

/**
 * Registers the cabinet routes: a cabinet with its details and the history
 * of the application that created it, and an editorial cabinet's bound work
 * cabinets. A person without access gets 404.
 */
export const cabinetRoutes: FastifyPluginAsyncZod = async (app) => {
  const errorResponses = {
    401: errorSchema,
    404: errorSchema,
    422: errorSchema,
  };

  app.get(
    "/api/cabinets/:id",
    {
      preValidation: requireSession,
      schema: {
        tags: ["cabinets"],
        summary: "A cabinet with its details and history",
        params: idParamsSchema,
        response: { 200: cabinetSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { reviews } = await findVisibleCabinet(
        app.services,
        request.session!.profile,
        request.params.id,
      );
      const cabinet = await loadCabinet(app.services.db, request.params.id);
      if (!cabinet) throw new NotFoundError("Кабинет не найден");
      // A work cabinet's members see its editorial cabinet's name, but its
      // page only with access of their own, so the page links it only then.
      let editorialCabinet = null;
      if (cabinet.editorialCabinet) {
        const header = await loadCabinetHeader(
          app.services.db,
          cabinet.editorialCabinet.id,
        );
        const access = header
          ? await canSeeCabinet(app.services, request.session!.profile, header)
          : { visible: false };
        editorialCabinet = {
          ...cabinet.editorialCabinet,
          visible: access.visible,
        };
      }
      return { ...cabinet, editorialCabinet, canReview: reviews };
    },
  );

  app.get(
    "/api/cabinets/:id/work-cabinets",
    {
      preValidation: requireSession,
      schema: {
        tags: ["cabinets"],
        summary: "Work cabinets bound to an editorial cabinet, by name",
        description: "Keyset pagination: pass nextCursor as cursor.",
        params: idParamsSchema,
        querystring: boundQuerySchema,
        response: { 200: boundListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { header } = await findVisibleCabinet(
        app.services,
        request.session!.profile,
        request.params.id,
      );
      if (header.kind !== "editorial") {
        throw new NotFoundError(
          "К рабочему кабинету не привязываются другие кабинеты",
        );
      }
      const cursor = request.query.cursor
        ? decodeCursor(request.query.cursor)
        : undefined;
      const page = await listBoundCabinets(
        app.services.db,
        header.id,
        request.query.limit,
        cursor,
      );
      return {
        items: page.items,
        nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null,
      };
    },
  );
};
