import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Executor } from "../../db/client.js";
import {
  findApplicationHeader,
  loadApplicationReview,
  type ApplicationReview,
} from "../../db/queries/review-application.js";
import { loadCabinetHeader } from "../../db/queries/review-cabinets.js";
import {
  COUNT_CAP,
  SEARCH_COUNT_CAP,
  countReviewQueue,
  listReviewQueue,
  SEARCH_MIN_LENGTH,
  type QueueCursor,
  type ReviewScope,
} from "../../db/queries/review-queue.js";
import { rejectionReasonSchema } from "../../domain/application-form.js";
import { CABINET_KINDS, CABINET_TYPES } from "../../domain/cabinets.js";
import type { EsiaProfile } from "../../domain/esia-profile.js";
import { isRegionCode } from "../../domain/regions.js";
import { APPLICATION_STATES } from "../../domain/states.js";
import { normalizeName } from "../../domain/text.js";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors.js";
import type { ServiceContext } from "../services/context.js";
import { decideApplication } from "../services/decisions.js";
import {
  canReview,
  operatorRegions,
  reviewableEditorialCabinetIds,
} from "../services/reviewers.js";
import { requireSession } from "../session.js";

export const errorSchema = z.object({
  requestId: z.string(),
  statusCode: z.number(),
  error: z.string(),
  message: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })),
});

export const namedCodeSchema = z.object({ code: z.string(), name: z.string() });
const personSummarySchema = z.object({ oid: z.string(), name: z.string() });
const cabinetRefSchema = z.object({ id: z.uuid(), name: z.string() });

export const auditEventSchema = z.object({
  id: z.number().int(),
  action: z.string(),
  occurredAt: z.string(),
  actor: personSummarySchema.nullable(),
  revision: z.number().int().nullable(),
  fromState: z.string().nullable(),
  toState: z.string().nullable(),
  reason: z.string().nullable(),
});

const revisionFieldsSchema = z.object({
  name: z.string(),
  region: namedCodeSchema,
  type: namedCodeSchema,
  editorialCabinet: cabinetRefSchema.nullable(),
  spheres: z.array(namedCodeSchema),
  email: z.string(),
});

const reviewDetailSchema = z.object({
  application: z.object({
    id: z.uuid(),
    reference: z.string(),
    kind: z.enum(CABINET_KINDS),
    state: z.enum(APPLICATION_STATES),
    revision: z.number().int(),
    rejectionReason: z.string().nullable(),
    cabinetId: z.uuid().nullable(),
    createdAt: z.string(),
    queuedAt: z.string(),
  }),
  organization: z.object({
    oid: z.string(),
    fullName: z.string(),
    shortName: z.string(),
    ogrn: z.string(),
  }),
  applicant: z.object({
    oid: z.string(),
    lastName: z.string(),
    firstName: z.string(),
    middleName: z.string().nullable(),
    email: z.string().nullable(),
    mobile: z.string().nullable(),
  }),
  revisions: z.array(
    z.object({
      number: z.number().int(),
      submittedAt: z.string(),
      submittedBy: personSummarySchema,
      fields: revisionFieldsSchema,
      changes: z.array(
        z.object({
          field: z.string(),
          label: z.string(),
          before: z.string(),
          after: z.string(),
        }),
      ),
    }),
  ),
  decisions: z.array(
    z.object({
      revision: z.number().int(),
      decision: z.enum(["approved", "rejected"]),
      reason: z.string().nullable(),
      decidedBy: personSummarySchema,
      decidedAt: z.string(),
    }),
  ),
  history: z.array(auditEventSchema),
  /** Whether the signed-in person may approve or reject the current revision now. */
  canDecide: z.boolean(),
  /** The reason the person may not decide, when `canDecide` is false. */
  cannotDecideReason: z.string().nullable(),
});
type ReviewDetail = z.infer<typeof reviewDetailSchema>;

const queueItemSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  kind: z.enum(CABINET_KINDS),
  state: z.enum(APPLICATION_STATES),
  revision: z.number().int(),
  name: z.string(),
  ogrn: z.string(),
  organizationName: z.string(),
  regionCode: z.string(),
  regionName: z.string(),
  typeCode: z.string(),
  typeName: z.string(),
  editorialCabinetId: z.uuid().nullable(),
  editorialCabinetName: z.string().nullable(),
  applicantName: z.string(),
  queuedAt: z.string(),
  createdAt: z.string(),
});

const queueResponseSchema = z.object({
  items: z.array(queueItemSchema),
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: z.string().nullable(),
  /** Without a search every status; with one, only the listed statuses. */
  counts: z.array(
    z.object({
      state: z.enum(APPLICATION_STATES),
      count: z.number().int(),
      /** True when there are more than `count` applications. */
      capped: z.boolean(),
    }),
  ),
});

const QUEUE_STATUSES = [...APPLICATION_STATES, "all"] as const;

const queueQuerySchema = z.object({
  status: z
    .enum(QUEUE_STATUSES, {
      error: `Статус: одно из ${QUEUE_STATUSES.join(", ")}`,
    })
    .default("submitted"),
  region: z
    .string()
    .refine(isRegionCode, { message: "Выберите регион из списка" })
    .optional(),
  type: z
    .enum(CABINET_TYPES, { error: "Выберите тип кабинета из списка" })
    .optional(),
  q: z
    .string()
    .transform(normalizeName)
    .refine(
      (value) => value.length === 0 || value.length >= SEARCH_MIN_LENGTH,
      {
        message: `Для поиска введите не менее ${SEARCH_MIN_LENGTH} символов названия или цифр ОГРН`,
      },
    )
    .refine((value) => value.length <= 200, {
      message: "Поисковый запрос должен содержать не более 200 символов",
    })
    .optional(),
  editorialCabinetId: z
    .uuid({ message: "Выберите редакцию из списка" })
    .optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

const accessResponseSchema = z.object({
  /** A platform operator's regions: "all", codes, or null for a non-operator. */
  operatorRegions: z.union([z.literal("all"), z.array(z.string())]).nullable(),
  /** Editorial cabinets whose queue the person reviews by ESIA access. */
  editorialCabinets: z.array(
    z.object({ id: z.uuid(), name: z.string(), regionName: z.string() }),
  ),
});

const idParamsSchema = z.object({
  id: z.uuid({
    message: "Номер заявки в адресе неверен: откройте заявку из списка",
  }),
});

const revisionField = z
  .number({ error: "Обновите страницу: не указана редакция заявки" })
  .int()
  .min(1);

const approveBodySchema = z.object({
  /** The revision the reviewer saw. */
  revision: revisionField,
});

const rejectBodySchema = z.object({
  revision: revisionField,
  reason: rejectionReasonSchema,
});

const NO_REVIEW_RIGHTS =
  "Рассматривать заявки могут сотрудники организации с кабинетом редакции, состоящие в группе доступа «ПОС. Госпаблики. Кабинет редакции», и операторы платформы";

/** Resolves the applications the person may review, from ESIA access and the operator list. */
export async function resolveReviewScope(
  ctx: ServiceContext,
  actor: EsiaProfile,
): Promise<ReviewScope> {
  return {
    editorialCabinetIds: await reviewableEditorialCabinetIds(
      ctx.db,
      actor,
      ctx.groups,
    ),
    operatorRegions: operatorRegions(ctx.operators, actor.oid),
  };
}

/** Checks whether the scope covers the queue of one editorial cabinet. */
export function scopeCoversCabinet(
  scope: ReviewScope,
  cabinet: { id: string; regionCode: string },
): boolean {
  const regions = scope.operatorRegions;
  return (
    scope.editorialCabinetIds.includes(cabinet.id) ||
    regions === "all" ||
    (regions?.includes(cabinet.regionCode) ?? false)
  );
}

function encodeCursor(cursor: QueueCursor): string {
  return Buffer.from(JSON.stringify([cursor.queuedAt, cursor.id])).toString(
    "base64url",
  );
}

const cursorSchema = z.tuple([z.iso.datetime({ precision: 6 }), z.uuid()]);

function decodeCursor(value: string): QueueCursor {
  try {
    const parsed = cursorSchema.parse(
      JSON.parse(Buffer.from(value, "base64url").toString("utf8")),
    );
    return { queuedAt: parsed[0], id: parsed[1] };
  } catch {
    throw new ValidationError(
      [
        {
          path: "cursor",
          message: "Ссылка на страницу списка устарела: откройте список заново",
        },
      ],
      "Ссылка на страницу списка устарела: откройте список заново",
    );
  }
}

function selfSubmitted(review: ApplicationReview, actorOid: string): boolean {
  return (
    review.application.applicantOid === actorOid ||
    review.revisions.some((revision) => revision.submittedBy.oid === actorOid)
  );
}

/**
 * Loads the reviewer's view of an application. An application the person may
 * not review gets 404, so that its existence is not revealed.
 */
async function loadReviewDetail(
  ctx: ServiceContext,
  actor: EsiaProfile,
  applicationId: string,
): Promise<ReviewDetail> {
  const header = await findApplicationHeader(ctx.db, applicationId);
  if (
    !header ||
    !(await canReview(ctx.db, actor, header, ctx.groups, ctx.operators))
  ) {
    throw new NotFoundError("Заявка не найдена");
  }
  const review = await loadApplicationReview(ctx.db, applicationId);
  if (!review) throw new NotFoundError("Заявка не найдена");
  let cannotDecideReason: string | null = null;
  if (selfSubmitted(review, actor.oid)) {
    cannotDecideReason =
      "Вы подали эту заявку сами: её рассмотрит другой сотрудник редакции или оператор платформы";
  } else if (review.application.state !== "submitted") {
    cannotDecideReason = "Решение по заявке уже принято или заявка отозвана";
  }
  const { application } = review;
  return {
    ...review,
    application: {
      id: application.id,
      reference: application.reference,
      kind: application.kind,
      state: application.state,
      revision: application.revision,
      rejectionReason: application.rejectionReason,
      cabinetId: application.cabinetId,
      createdAt: application.createdAt,
      queuedAt: application.queuedAt,
    },
    canDecide: cannotDecideReason === null,
    cannotDecideReason,
  };
}

/**
 * Registers the reviewer's routes: the person's review rights, the queue
 * with its filters and counts, an application with its revisions and
 * decisions, and the two decisions. Platform operators and employees with
 * access to an editorial cabinet use them. Everyone else gets 403 on the
 * queue and 404 on an application.
 */
export const reviewRoutes: FastifyPluginAsyncZod = async (app) => {
  const errorResponses = {
    401: errorSchema,
    403: errorSchema,
    404: errorSchema,
    409: errorSchema,
    422: errorSchema,
  };
  const db: Executor = app.services.db;

  app.get(
    "/api/review/access",
    {
      preValidation: requireSession,
      schema: {
        tags: ["review"],
        summary: "What the signed-in person may review",
        response: { 200: accessResponseSchema, 401: errorSchema },
      },
    },
    async (request) => {
      const scope = await resolveReviewScope(
        app.services,
        request.session!.profile,
      );
      const editorialCabinets = [];
      for (const id of scope.editorialCabinetIds) {
        const cabinet = await loadCabinetHeader(db, id);
        if (cabinet) {
          editorialCabinets.push({
            id: cabinet.id,
            name: cabinet.name,
            regionName: cabinet.regionName,
          });
        }
      }
      return { operatorRegions: scope.operatorRegions, editorialCabinets };
    },
  );

  app.get(
    "/api/review/queue",
    {
      preValidation: requireSession,
      schema: {
        tags: ["review"],
        summary: "The review queue, oldest first, a page at a time",
        description: `Keyset pagination: pass nextCursor as cursor. Without q, counts cover every status whatever the status filter, and stop at ${COUNT_CAP}. With q, counts cover only the listed statuses (every status for status=all) and stop at ${SEARCH_COUNT_CAP}. capped says there are more.`,
        querystring: queueQuerySchema,
        response: { 200: queueResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = request.session!.profile;
      const query = request.query;
      const scope = await resolveReviewScope(app.services, actor);
      if (
        scope.operatorRegions === null &&
        scope.editorialCabinetIds.length === 0
      ) {
        throw new ForbiddenError(NO_REVIEW_RIGHTS, "no_review_rights");
      }
      if (query.editorialCabinetId) {
        const cabinet = await loadCabinetHeader(db, query.editorialCabinetId);
        if (
          !cabinet ||
          cabinet.kind !== "editorial" ||
          !scopeCoversCabinet(scope, cabinet)
        ) {
          throw new NotFoundError("Кабинет редакции не найден");
        }
      }
      const filters = {
        region: query.region,
        type: query.type,
        search: query.q || undefined,
        editorialCabinetId: query.editorialCabinetId,
      };
      const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
      const states =
        query.status === "all" ? APPLICATION_STATES : [query.status];
      // A search is counted only in the listed statuses, because each counted
      // status costs a trigram index scan for a rare term, or a walk of the
      // queue up to the cap for a common one.
      const countedStates = filters.search ? states : APPLICATION_STATES;
      // Two independent reads: on PostgreSQL they run on two pool connections at once.
      const [page, counts] = await Promise.all([
        listReviewQueue(db, scope, { ...filters, states }, query.limit, cursor),
        countReviewQueue(db, scope, { ...filters, states: countedStates }),
      ]);
      return {
        items: page.items.map((item) => ({
          ...item,
          kind: item.kind as (typeof CABINET_KINDS)[number],
        })),
        nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null,
        counts,
      };
    },
  );

  app.get(
    "/api/review/applications/:id",
    {
      preValidation: requireSession,
      schema: {
        tags: ["review"],
        summary:
          "An application as a reviewer sees it: organization, applicant, revisions, decisions",
        params: idParamsSchema,
        response: { 200: reviewDetailSchema, ...errorResponses },
      },
    },
    async (request) =>
      loadReviewDetail(
        app.services,
        request.session!.profile,
        request.params.id,
      ),
  );

  app.post(
    "/api/review/applications/:id/approve",
    {
      preValidation: requireSession,
      schema: {
        tags: ["review"],
        summary: "Approve the revision the reviewer saw; creates the cabinet",
        description:
          "409 when another decision or a newer revision came first; 403 for one's own application.",
        params: idParamsSchema,
        body: approveBodySchema,
        response: { 200: reviewDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = request.session!.profile;
      await decideApplication(
        app.services,
        actor,
        request.params.id,
        request.body.revision,
        { decision: "approve" },
      );
      return loadReviewDetail(app.services, actor, request.params.id);
    },
  );

  app.post(
    "/api/review/applications/:id/reject",
    {
      preValidation: requireSession,
      schema: {
        tags: ["review"],
        summary: "Reject the revision the reviewer saw, with a reason",
        description:
          "The reason is required, at most 2000 characters, and is sent to the applicant.",
        params: idParamsSchema,
        body: rejectBodySchema,
        response: { 200: reviewDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = request.session!.profile;
      await decideApplication(
        app.services,
        actor,
        request.params.id,
        request.body.revision,
        { decision: "reject", reason: request.body.reason },
      );
      return loadReviewDetail(app.services, actor, request.params.id);
    },
  );
};
