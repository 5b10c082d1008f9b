import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../client.js";
import { queryRows } from "../client.js";
import { ownEditorialSql, type CabinetJson } from "./cabinet-json.js";
import { applications, cabinets, organizations } from "../schema.js";

export interface CabinetSummary {
  id: string;
  name: string;
  kind: string;
  organizationOid: string;
}

export interface ApplicationSummary {
  id: string;
  reference: string;
  kind: string;
  organizationOid: string;
  state: string;
  revision: number;
}

/** Finds the active cabinets of the organizations, at most one per kind. */
export async function findActiveCabinets(
  db: Executor,
  organizationOids: string[],
): Promise<CabinetSummary[]> {
  if (organizationOids.length === 0) return [];
  return db
    .select({
      id: cabinets.id,
      name: cabinets.name,
      kind: cabinets.kind,
      organizationOid: cabinets.organizationOid,
    })
    .from(cabinets)
    .where(
      and(
        inArray(cabinets.organizationOid, organizationOids),
        eq(cabinets.status, "active"),
      ),
    );
}

/**
 * Finds the application shown to the applicant for each organization and kind:
 * the open one (submitted or rejected) when there is one, otherwise the most
 * recent one in any state.
 */
export async function findCurrentApplications(
  db: Executor,
  organizationOids: string[],
): Promise<ApplicationSummary[]> {
  if (organizationOids.length === 0) return [];
  const oids = sql.join(
    organizationOids.map((oid) => sql`${oid}`),
    sql`, `,
  );
  return queryRows<ApplicationSummary>(
    db,
    sql`select distinct on (organization_oid, kind)
          id, reference, kind, organization_oid as "organizationOid", state, revision
        from applications
        where organization_oid in (${oids})
        order by organization_oid, kind,
          (state in ('submitted', 'rejected')) desc, created_at desc, id`,
  );
}

export interface ApplicationDetail {
  id: string;
  reference: string;
  kind: string;
  state: string;
  revision: number;
  name: string;
  regionCode: string;
  typeCode: string;
  editorialCabinetId: string | null;
  editorialCabinetName: string | null;
  spheres: string[];
  email: string;
  applicantOid: string;
  organizationOid: string;
  organizationOgrn: string;
  organizationFullName: string;
  organizationShortName: string;
  rejectionReason: string | null;
  cabinetId: string | null;
  createdAt: Date;
  queuedAt: Date;
  updatedAt: Date;
  /** The organization's own active editorial cabinet, whatever the application's kind. */
  ownEditorialCabinet: CabinetJson | null;
}

/**
 * Finds one application with its current revision's spheres and its
 * organization's own editorial cabinet, in one statement.
 */
export async function findApplicationDetail(
  db: Executor,
  applicationId: string,
): Promise<ApplicationDetail | undefined> {
  const [row] = await db
    .select({
      id: applications.id,
      reference: applications.reference,
      kind: applications.kind,
      state: applications.state,
      revision: applications.revision,
      name: applications.name,
      regionCode: applications.regionCode,
      typeCode: applications.typeCode,
      editorialCabinetId: applications.editorialCabinetId,
      editorialCabinetName: cabinets.name,
      email: applications.email,
      applicantOid: applications.applicantOid,
      organizationOid: applications.organizationOid,
      organizationOgrn: organizations.ogrn,
      organizationFullName: organizations.fullName,
      organizationShortName: organizations.shortName,
      rejectionReason: applications.rejectionReason,
      cabinetId: applications.cabinetId,
      createdAt: applications.createdAt,
      queuedAt: applications.queuedAt,
      updatedAt: applications.updatedAt,
      spheres: sql<
        string[]
      >`coalesce((select json_agg(rs.sphere_code order by rs.sphere_code)
        from revision_spheres rs
        join application_revisions ar on ar.id = rs.revision_id
        where ar.application_id = ${applications.id}
          and ar.number = ${applications.revision}), '[]'::json)`,
      ownEditorialCabinet: sql<CabinetJson | null>`${ownEditorialSql(sql`${applications.organizationOid}`)}`,
    })
    .from(applications)
    .innerJoin(
      organizations,
      eq(organizations.oid, applications.organizationOid),
    )
    .leftJoin(cabinets, eq(cabinets.id, applications.editorialCabinetId))
    .where(eq(applications.id, applicationId));
  return row;
}

/** Finds the application first submitted with this idempotency key. */
export async function findApplicationByIdempotencyKey(
  db: Executor,
  idempotencyKey: string,
): Promise<typeof applications.$inferSelect | undefined> {
  const [row] = await db
    .select()
    .from(applications)
    .where(eq(applications.idempotencyKey, idempotencyKey))
    .orderBy(desc(applications.createdAt))
    .limit(1);
  return row;
}
