import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Executor } from "../../db/client.js";
import {
  findActiveCabinets,
  findCurrentApplications,
  type ApplicationSummary,
  type CabinetSummary,
} from "../../db/queries/applicant-applications.js";
import { CABINET_KINDS, type CabinetKind } from "../../domain/cabinets.js";
import {
  checkEligibility,
  hasCabinetAccess,
  type AccessGroups,
} from "../../domain/eligibility.js";
import type { EsiaOrganization } from "../../domain/esia-profile.js";
import {
  APPLICATION_STATES,
  isOpenState,
  type ApplicationState,
} from "../../domain/states.js";
import { NotFoundError } from "../errors.js";
import { findOwnEditorialCabinet } from "../services/application-rules.js";
import { requireSession } from "../session.js";

const problemSchema = z.object({ code: z.string(), message: z.string() });

export const kindStatusSchema = z.object({
  /** The person may submit an application for this kind. */
  eligible: z.boolean(),
  /** Every failed condition: of applying, or of entering the existing cabinet. */
  problems: z.array(problemSchema),
  cabinet: z
    .object({ id: z.uuid(), name: z.string(), canEnter: z.boolean() })
    .nullable(),
  application: z
    .object({
      id: z.uuid(),
      reference: z.string(),
      state: z.enum(APPLICATION_STATES),
      revision: z.number().int(),
    })
    .nullable(),
  /**
   * The destination of choosing this kind: the cabinet, the application's
   * page, an empty form, or none (see `problems`).
   */
  next: z.enum(["cabinet", "application", "form", "unavailable"]),
});
export type KindStatus = z.infer<typeof kindStatusSchema>;

const organizationSchema = z.object({
  oid: z.string(),
  ogrn: z.string(),
  fullName: z.string(),
  shortName: z.string(),
  type: z.enum(["LEGAL", "BUSINESS", "AGENCY"]),
});

const organizationChoiceSchema = organizationSchema.extend({
  /** False when no kind leads anywhere; the list shows it disabled. */
  available: z.boolean(),
  kinds: z.object({ editorial: kindStatusSchema, work: kindStatusSchema }),
});

const kindParamsSchema = z.object({
  organizationOid: z
    .string()
    .regex(/^\d{1,20}$/, { message: "Укажите ESIA oid организации цифрами" }),
  kind: z.enum(CABINET_KINDS, {
    error: "Вид кабинета: editorial или work",
  }),
});

export const ownEditorialCabinetSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  regionCode: z.string(),
  typeCode: z.string(),
  spheres: z.array(z.string()),
});

const kindContextSchema = z.object({
  organization: organizationSchema,
  kind: z.enum(CABINET_KINDS),
  status: kindStatusSchema,
  /**
   * The organization's own editorial cabinet, for a work-cabinet form: its
   * region, type, editorial cabinet and spheres fill the form and are locked.
   */
  ownEditorialCabinet: ownEditorialCabinetSchema.nullable(),
  /** The e-mail from ESIA, proposed in the form. */
  defaultEmail: z.string().nullable(),
});

/** Works out what choosing `kind` for this organization leads to. */
export function describeKind(
  organization: EsiaOrganization,
  kind: CabinetKind,
  groups: AccessGroups,
  cabinet: CabinetSummary | undefined,
  application: ApplicationSummary | undefined,
): KindStatus {
  const problems = checkEligibility(organization, kind, groups);
  const eligible = problems.length === 0;
  const base = {
    eligible,
    problems,
    cabinet: null,
    application: application
      ? {
          id: application.id,
          reference: application.reference,
          state: application.state as ApplicationState,
          revision: application.revision,
        }
      : null,
  };
  if (cabinet) {
    const canEnter = hasCabinetAccess(organization, kind, groups);
    return {
      ...base,
      // Entering needs no role, only the employment and the access group.
      problems: canEnter
        ? []
        : problems.filter((problem) => problem.code !== "no_role"),
      cabinet: { id: cabinet.id, name: cabinet.name, canEnter },
      next: canEnter ? "cabinet" : "unavailable",
    };
  }
  if (!eligible) return { ...base, next: "unavailable" };
  // A withdrawn application is shown too, with the offer to apply again.
  const state = application?.state as ApplicationState | undefined;
  const showsApplication =
    state !== undefined && (isOpenState(state) || state === "withdrawn");
  return { ...base, next: showsApplication ? "application" : "form" };
}

/** Describes each organization of the session for both cabinet kinds. */
export async function describeOrganizations(
  db: Executor,
  organizations: EsiaOrganization[],
  groups: AccessGroups,
) {
  const oids = organizations.map((org) => org.oid);
  const [cabinets, applications] = await Promise.all([
    findActiveCabinets(db, oids),
    findCurrentApplications(db, oids),
  ]);
  return organizations.map((organization) => {
    const status = (kind: CabinetKind) =>
      describeKind(
        organization,
        kind,
        groups,
        cabinets.find(
          (row) =>
            row.organizationOid === organization.oid && row.kind === kind,
        ),
        applications.find(
          (row) =>
            row.organizationOid === organization.oid && row.kind === kind,
        ),
      );
    const kinds = { editorial: status("editorial"), work: status("work") };
    return {
      oid: organization.oid,
      ogrn: organization.ogrn,
      fullName: organization.fullName,
      shortName: organization.shortName,
      type: organization.type,
      available:
        kinds.editorial.next !== "unavailable" ||
        kinds.work.next !== "unavailable",
      kinds,
    };
  });
}

/**
 * `GET /api/organizations`: the signed-in person's organizations from the
 * session's ESIA data, each with what the person may do for each kind.
 * `GET /api/organizations/:organizationOid/kinds/:kind`: the same for one
 * kind, with what the application form needs.
 */
export const organizationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/api/organizations",
    {
      preValidation: requireSession,
      schema: {
        tags: ["applicant"],
        summary:
          "The person's organizations by ESIA, with eligibility, cabinets and applications per kind",
        response: {
          200: z.object({ organizations: z.array(organizationChoiceSchema) }),
        },
      },
    },
    async (request) => {
      const profile = request.session!.profile;
      return {
        organizations: await describeOrganizations(
          app.services.db,
          profile.organizations,
          app.services.groups,
        ),
      };
    },
  );

  app.get(
    "/api/organizations/:organizationOid/kinds/:kind",
    {
      preValidation: requireSession,
      schema: {
        tags: ["applicant"],
        summary:
          "What choosing a cabinet kind leads to, and the data the application form starts from",
        params: kindParamsSchema,
        response: { 200: kindContextSchema },
      },
    },
    async (request) => {
      const profile = request.session!.profile;
      const { organizationOid, kind } = request.params;
      const organization = profile.organizations.find(
        (org) => org.oid === organizationOid,
      );
      if (!organization) {
        throw new NotFoundError(
          "Организация не найдена среди ваших организаций по данным ЕСИА: выберите её из списка",
        );
      }
      const db = app.services.db;
      const [described] = await describeOrganizations(
        db,
        [organization],
        app.services.groups,
      );
      const own =
        kind === "work"
          ? await findOwnEditorialCabinet(db, organization.oid)
          : undefined;
      return {
        organization: {
          oid: organization.oid,
          ogrn: organization.ogrn,
          fullName: organization.fullName,
          shortName: organization.shortName,
          type: organization.type,
        },
        kind,
        status: described!.kinds[kind],
        ownEditorialCabinet: own
          ? {
              id: own.id,
              name: own.name,
              regionCode: own.regionCode,
              typeCode: own.typeCode,
              spheres: own.spheres,
            }
          : null,
        defaultEmail: profile.email,
      };
    },
  );
};
