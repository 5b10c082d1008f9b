import { and, eq, inArray } from "drizzle-orm";
import type { PlatformOperator } from "../../config.js";
import type { Executor } from "../../db/client.js";
import { cabinets } from "../../db/schema.js";
import {
  hasCabinetAccess,
  type AccessGroups,
} from "../../domain/eligibility.js";
import type { EsiaProfile } from "../../domain/esia-profile.js";

/** Region codes an operator covers; `"all"` for an operator without regions. */
export function operatorRegions(
  operators: PlatformOperator[],
  personOid: string,
): "all" | string[] | null {
  const operator = operators.find((op) => op.oid === personOid);
  if (!operator) return null;
  return operator.regions.length === 0 ? "all" : operator.regions;
}

/**
 * Editorial cabinets whose queue the person may review, by ESIA access. The
 * predicate matches the partial unique index on (organization_oid, kind)
 * of active cabinets, so the lookup reads that index and not the table.
 */
export async function reviewableEditorialCabinetIds(
  db: Executor,
  actor: EsiaProfile,
  groups: AccessGroups,
): Promise<string[]> {
  const organizationOids = actor.organizations
    .filter((organization) =>
      hasCabinetAccess(organization, "editorial", groups),
    )
    .map((organization) => organization.oid);
  if (organizationOids.length === 0) return [];
  const rows = await db
    .select({ id: cabinets.id })
    .from(cabinets)
    .where(
      and(
        inArray(cabinets.organizationOid, organizationOids),
        eq(cabinets.kind, "editorial"),
        eq(cabinets.status, "active"),
      ),
    );
  return rows.map((row) => row.id);
}

export interface ReviewTarget {
  kind: string;
  regionCode: string;
  editorialCabinetId: string | null;
}

/**
 * Whether the person may decide this application: an employee with access to
 * the editorial cabinet it is addressed to, or a platform operator of its
 * region (the only reviewers of editorial-cabinet applications).
 */
export async function canReview(
  db: Executor,
  actor: EsiaProfile,
  target: ReviewTarget,
  groups: AccessGroups,
  operators: PlatformOperator[],
): Promise<boolean> {
  const regions = operatorRegions(operators, actor.oid);
  if (regions === "all" || regions?.includes(target.regionCode)) return true;
  if (target.kind !== "work" || !target.editorialCabinetId) return false;
  const ids = await reviewableEditorialCabinetIds(db, actor, groups);
  return ids.includes(target.editorialCabinetId);
}
