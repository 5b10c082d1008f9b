import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Executor } from "../../db/client.js";
import {
  findApplicationByIdempotencyKey,
  findApplicationDetail,
  type ApplicationDetail,
} from "../../db/queries/applicant-applications.js";
import {
  applicationFieldsSchema,
  applicationSubmitSchema,
} from "../../domain/application-form.js";
import {
  CABINET_KINDS,
  CABINET_TYPES,
  type CabinetKind,
} from "../../domain/cabinets.js";
import {
  checkEligibility,
  type AccessGroups,
} from "../../domain/eligibility.js";
import type { EsiaProfile } from "../../domain/esia-profile.js";
import {
  APPLICATION_STATES,
  canTransition,
  type ApplicationState,
} from "../../domain/states.js";
import { findPgError } from "../database-errors.js";
import { AppError, NotFoundError } from "../errors.js";
import { editorialRow } from "../services/application-rules.js";
import {
  resubmitApplication,
  submitApplication,
  withdrawApplication,
} from "../services/applications.js";
import { requireSession } from "../session.js";
import { ownEditorialCabinetSchema } from "./organizations.js";

const idParamsSchema = z.object({
  id: z.uuid({
    message: "Номер заявки в адресе неверен: откройте заявку из списка",
  }),
});

export const applicationDetailSchema = z.object({
  id: z.uuid(),
  /** The reference number shown to the applicant, e.g. ГП-2026-000042. */
  reference: z.string(),
  kind: z.enum(CABINET_KINDS),
  state: z.enum(APPLICATION_STATES),
  revision: z.number().int(),
  name: z.string(),
  region: z.string(),
  type: z.enum(CABINET_TYPES),
  editorialCabinet: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  spheres: z.array(z.string()),
  email: z.string(),
  organization: z.object({
    oid: z.string(),
    ogrn: z.string(),
    fullName: z.string(),
    shortName: z.string(),
  }),
  rejectionReason: z.string().nullable(),
  /** The cabinet created on approval. */
  cabinetId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  queuedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  submittedByYou: z.boolean(),
  /** The actions the signed-in person may take on the application now. */
  actions: z.object({ resubmit: z.boolean(), withdraw: z.boolean() }),
  /** Why the person may not resubmit: every failed eligibility condition. */
  problems: z.array(z.object({ code: z.string(), message: z.string() })),
  /** For a work cabinet: the organization's own editorial cabinet, which locks the fields. */
  ownEditorialCabinet: ownEditorialCabinetSchema.nullable(),
});
type ApplicationDetailResponse = z.infer<typeof applicationDetailSchema>;

const resubmitBodySchema = applicationFieldsSchema.extend({
  /** The revision the applicant edited; a newer one on the server gives 409. */
  expectedRevision: z
    .number({ error: "Обновите страницу и отправьте заявку ещё раз" })
    .int()
    .min(1),
});

const errorSchema = z.object({
  requestId: z.string(),
  statusCode: z.number(),
  error: z.string(),
  message: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })),
});

/**
 * Loads the application for the signed-in person. Another organization's
 * application is reported as not found, so that its existence is not
 * revealed.
 */
async function loadDetail(
  db: Executor,
  actor: EsiaProfile,
  groups: AccessGroups,
  applicationId: string,
): Promise<ApplicationDetailResponse> {
  const row = await findApplicationDetail(db, applicationId);
  if (!row) throw new NotFoundError("Заявка не найдена");
  return detailResponse(row, actor, groups);
}

/** Builds the applicant's view of an application of one of the person's organizations. */
function detailResponse(
  row: ApplicationDetail,
  actor: EsiaProfile,
  groups: AccessGroups,
): ApplicationDetailResponse {
  const organization = actor.organizations.find(
    (org) => org.oid === row.organizationOid,
  );
  if (!organization) throw new NotFoundError("Заявка не найдена");
  const kind = row.kind as CabinetKind;
  const state = row.state as ApplicationState;
  const problems = checkEligibility(organization, kind, groups);
  const mayWithdraw =
    organization.active &&
    (organization.chief ||
      organization.admin ||
      row.applicantOid === actor.oid);
  const own =
    kind === "work" && row.ownEditorialCabinet
      ? editorialRow(row.ownEditorialCabinet)
      : undefined;
  return {
    id: row.id,
    reference: row.reference,
    kind,
    state,
    revision: row.revision,
    name: row.name,
    region: row.regionCode,
    type: row.typeCode as ApplicationDetailResponse["type"],
    editorialCabinet:
      row.editorialCabinetId && row.editorialCabinetName
        ? { id: row.editorialCabinetId, name: row.editorialCabinetName }
        : null,
    spheres: row.spheres,
    email: row.email,
    organization: {
      oid: row.organizationOid,
      ogrn: row.organizationOgrn,
      fullName: row.organizationFullName,
      shortName: row.organizationShortName,
    },
    rejectionReason: row.rejectionReason,
    cabinetId: row.cabinetId,
    createdAt: row.createdAt.toISOString(),
    queuedAt: row.queuedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    submittedByYou: row.applicantOid === actor.oid,
    actions: {
      resubmit: problems.length === 0 && canTransition(state, "resubmit"),
      withdraw: mayWithdraw && canTransition(state, "withdraw"),
    },
    problems,
    ownEditorialCabinet: own
      ? {
          id: own.id,
          name: own.name,
          regionCode: own.regionCode,
          typeCode: own.typeCode,
          spheres: own.spheres,
        }
      : null,
  };
}

/**
 * The applicant's application routes: submit, read, resubmit after a
 * rejection, and withdraw. The organization always comes from the session's
 * ESIA data; the services re-check eligibility on every change.
 */
export const applicationRoutes: FastifyPluginAsyncZod = async (app) => {
  const errorResponses = {
    401: errorSchema,
    403: errorSchema,
    404: errorSchema,
    409: errorSchema,
    422: errorSchema,
  };

  app.post(
    "/api/applications",
    {
      preValidation: requireSession,
      schema: {
        tags: ["applicant"],
        summary: "Submit an application for a cabinet",
        description:
          "Answers 201 with the new application, or 200 with the first one when the idempotencyKey was used before.",
        body: applicationSubmitSchema,
        response: {
          200: applicationDetailSchema,
          201: applicationDetailSchema,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const actor = request.session!.profile;
      const input = request.body;
      let applicationId: string;
      let created: boolean;
      try {
        const result = await submitApplication(app.services, actor, input);
        if (result.detail) {
          return reply
            .code(201)
            .send(detailResponse(result.detail, actor, app.services.groups));
        }
        applicationId = result.applicationId;
        created = result.created;
      } catch (error) {
        // Two requests with one key at once: the second one finds the first
        // one's open application, or its insert fails on a unique index once
        // the first commits. Either way it is a repeat, so it gets the first result.
        const conflict =
          (error instanceof AppError && error.statusCode === 409) ||
          findPgError(error)?.code === "23505";
        const earlier =
          input.idempotencyKey && conflict
            ? await findApplicationByIdempotencyKey(
                app.services.db,
                input.idempotencyKey,
              )
            : undefined;
        const repeat =
          earlier?.applicantOid === actor.oid &&
          earlier.organizationOid === input.organizationOid &&
          earlier.kind === input.kind;
        if (!earlier || !repeat) throw error;
        request.log.info(
          { applicationId: earlier.id },
          "concurrent repeat of a submission answered with the first application",
        );
        applicationId = earlier.id;
        created = false;
      }
      const detail = await loadDetail(
        app.services.db,
        actor,
        app.services.groups,
        applicationId,
      );
      return reply.code(created ? 201 : 200).send(detail);
    },
  );

  app.get(
    "/api/applications/:id",
    {
      preValidation: requireSession,
      schema: {
        tags: ["applicant"],
        summary: "An application of one of the person's organizations",
        params: idParamsSchema,
        response: { 200: applicationDetailSchema, ...errorResponses },
      },
    },
    async (request) =>
      loadDetail(
        app.services.db,
        request.session!.profile,
        app.services.groups,
        request.params.id,
      ),
  );

  app.post(
    "/api/applications/:id/resubmit",
    {
      preValidation: requireSession,
      schema: {
        tags: ["applicant"],
        summary: "Resubmit a rejected application as a new revision",
        params: idParamsSchema,
        body: resubmitBodySchema,
        response: { 200: applicationDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = request.session!.profile;
      const { expectedRevision, ...fields } = request.body;
      await resubmitApplication(
        app.services,
        actor,
        request.params.id,
        fields,
        expectedRevision,
      );
      return loadDetail(
        app.services.db,
        actor,
        app.services.groups,
        request.params.id,
      );
    },
  );

  app.post(
    "/api/applications/:id/withdraw",
    {
      preValidation: requireSession,
      schema: {
        tags: ["applicant"],
        summary: "Withdraw a submitted or rejected application",
        params: idParamsSchema,
        response: { 200: applicationDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = request.session!.profile;
      await withdrawApplication(app.services, actor, request.params.id);
      return loadDetail(
        app.services.db,
        actor,
        app.services.groups,
        request.params.id,
      );
    },
  );
};
