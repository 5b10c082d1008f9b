import { sql } from "drizzle-orm";
import { nameKey } from "../../domain/text.js";
import type { Executor } from "../client.js";
import { queryRows } from "../client.js";

export interface EditorialCabinetOption {
  id: string;
  name: string;
  regionCode: string;
  typeCode: string;
  organizationShortName: string;
}

export interface EditorialCabinetSearch {
  regionCode: string;
  /** Type of the editorial cabinets to list: `roiv` or `omsu`. */
  typeCode: string;
  /** Text to find in the cabinet's name; empty lists all. */
  text: string;
  limit: number;
  /** Only this organization's cabinet (the rule for «РОИВ» and «ОМСУ» work cabinets). */
  organizationOid?: string;
}

/**
 * The cabinet name as `nameKey` compares it: lower-cased, «ё» folded into
 * «е». NOTE: `lower()` folds Cyrillic only under a UTF-8 ctype locale such
 * as C.UTF-8, ru_RU.UTF-8 or PGlite's default. On a server initialized with
 * the plain C locale the search is case-sensitive for Cyrillic.
 */
const NAME_KEY = sql`replace(lower(c.name), 'ё', 'е')`;

function likePattern(text: string): string {
  const escaped = nameKey(text).replace(/[\\%_]/g, (char) => `\\${char}`);
  return `%${escaped}%`;
}

/**
 * Finds the active editorial cabinets of one region and type whose name
 * contains the text, ordered by name. Returns up to `limit + 1` rows so the
 * caller can tell whether there are more.
 *
 * The index `cabinets_editorial_search_idx (kind, region_code, type_code,
 * name)` narrows the scan to one region and type and yields the rows in name
 * order, so the scan stops after `limit + 1` matches. A text that matches
 * nothing scans every cabinet of the region and type. For 3,300 cabinets
 * that took 35–95 ms on PostgreSQL 15, on a two-core machine under a load
 * average of 9 (a few manual EXPLAIN ANALYZE runs, not a benchmark).
 */
export async function searchEditorialCabinets(
  db: Executor,
  search: EditorialCabinetSearch,
): Promise<EditorialCabinetOption[]> {
  const textFilter =
    search.text.trim() === ""
      ? sql``
      : sql`and ${NAME_KEY} like ${likePattern(search.text)} escape '\\'`;
  const organizationFilter = search.organizationOid
    ? sql`and c.organization_oid = ${search.organizationOid}`
    : sql``;
  return queryRows<EditorialCabinetOption>(
    db,
    sql`select c.id, c.name, c.region_code as "regionCode", c.type_code as "typeCode",
          o.short_name as "organizationShortName"
        from cabinets c
        join organizations o on o.oid = c.organization_oid
        where c.kind = 'editorial'
          and c.region_code = ${search.regionCode}
          and c.type_code = ${search.typeCode}
          and c.status = 'active'
          ${organizationFilter}
          ${textFilter}
        order by c.name, c.id
        limit ${search.limit + 1}`,
  );
}
