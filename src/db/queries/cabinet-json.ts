import { sql, type SQL } from "drizzle-orm";

/** A cabinet as cabinetJson builds it. */
export interface CabinetJson {
  id: string;
  organizationOid: string;
  name: string;
  regionCode: string;
  typeCode: string;
  email: string;
  kind: string;
  status: string;
  /** Sphere codes, in no particular order. */
  spheres: string[];
}

/**
 * Builds a cabinet as a JSON object of CabinetJson's fields, for a select
 * list. Without `withSpheres` its spheres are left empty, which spares a lookup.
 */
export function cabinetJson(alias: SQL, withSpheres = true): SQL {
  const spheres = withSpheres
    ? sql`coalesce((select json_agg(cs.sphere_code) from cabinet_spheres cs
      where cs.cabinet_id = ${alias}.id), '[]'::json)`
    : sql`'[]'::json`;
  return sql`json_build_object(
    'id', ${alias}.id, 'organizationOid', ${alias}.organization_oid,
    'name', ${alias}.name, 'regionCode', ${alias}.region_code,
    'typeCode', ${alias}.type_code, 'email', ${alias}.email,
    'kind', ${alias}.kind, 'status', ${alias}.status,
    'spheres', ${spheres})`;
}

/**
 * Selects the organization's own active editorial cabinet as cabinetJson, or
 * null. `organizationOid` is a value or a column. The lookup reads one entry
 * of the partial unique index on active cabinets.
 */
export function ownEditorialSql(organizationOid: string | SQL): SQL {
  return sql`(select ${cabinetJson(sql.raw("own"))} from cabinets own
    where own.organization_oid = ${organizationOid}
      and own.kind = 'editorial' and own.status = 'active')`;
}
