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
  /** Text to find in the cabinet's or its organization's name; empty lists all. */
  text: string;
  limit: number;
  /** Only this organization's cabinet (the rule for «РОИВ» and «ОМСУ» work cabinets). */
  organizationOid?: string;
}

/**
 * Lower-cases Cyrillic and folds «ё» into «е» in SQL. `lower()` alone folds
 * Cyrillic only when the database's ctype locale knows it, which a server
 * initialized with the C locale does not.
 */
const UPPER = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯё";
const LOWER = "абвгдеежзийклмнопрстуфхцчшщъыьэюяе";

function searchKey(column: ReturnType<typeof sql.raw>) {
  return sql`translate(lower(${column}), ${UPPER}, ${LOWER})`;
}

function likePattern(text: string): string {
  const escaped = nameKey(text).replace(/[\\%_]/g, (char) => `\\${char}`);
  return `%${escaped}%`;
}

/**
 * Active editorial cabinets of one region and type whose name or
 * organization name contains the text, ordered by name. Returns up to
 * `limit + 1` rows so the caller can tell whether there are more.
 *
 * The index `cabinets_editorial_search_idx (kind, region_code, type_code,
 * name)` narrows the scan to one region and type and yields the rows in name
 * order, so the scan stops after `limit + 1` matches.
 */
export async function searchEditorialCabinets(
  db: Executor,
  search: EditorialCabinetSearch,
): Promise<EditorialCabinetOption[]> {
  const textFilter =
    search.text.trim() === ""
      ? sql``
      : sql`and (${searchKey(sql.raw("c.name"))} like ${likePattern(search.text)} escape '\\'
               or ${searchKey(sql.raw("o.short_name"))} like ${likePattern(search.text)} escape '\\')`;
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
