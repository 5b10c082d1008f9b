import { sql } from "drizzle-orm";
import type { Executor } from "../client.js";
import { queryRows } from "../client.js";
import {
  loadApplicationHistory,
  type AuditView,
  type NamedCode,
} from "./review-application.js";

export interface CabinetView {
  id: string;
  kind: "editorial" | "work";
  name: string;
  status: "active" | "closed";
  organization: {
    oid: string;
    fullName: string;
    shortName: string;
    ogrn: string;
  };
  region: NamedCode;
  type: NamedCode;
  editorialCabinet: { id: string; name: string } | null;
  spheres: NamedCode[];
  email: string;
  createdAt: string;
  /** The application that created the cabinet; null for cabinets loaded as demo data. */
  application: { id: string; reference: string } | null;
  /** Audit events of that application, ending with the cabinet's creation. */
  history: AuditView[];
}

interface CabinetRow {
  id: string;
  kind: "editorial" | "work";
  name: string;
  status: "active" | "closed";
  organization_oid: string;
  org_full_name: string;
  org_short_name: string;
  org_ogrn: string;
  region_code: string;
  region_name: string;
  type_code: string;
  type_name: string;
  editorial_cabinet_id: string | null;
  editorial_cabinet_name: string | null;
  email: string;
  created_at: string;
  application_id: string | null;
  application_reference: string | null;
}

const UTC_ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** The cabinet with its details and history, or undefined. */
export async function loadCabinet(
  db: Executor,
  cabinetId: string,
): Promise<CabinetView | undefined> {
  const [row] = await queryRows<CabinetRow>(
    db,
    sql`select c.id, c.kind, c.name, c.status, c.organization_oid,
      o.full_name as org_full_name, o.short_name as org_short_name, o.ogrn as org_ogrn,
      c.region_code, r.name as region_name, c.type_code, t.name as type_name,
      c.editorial_cabinet_id, e.name as editorial_cabinet_name, c.email,
      to_char(c.created_at at time zone 'UTC', ${sql.raw(UTC_ISO)}) as created_at,
      c.application_id, a.reference as application_reference
    from cabinets c
    join organizations o on o.oid = c.organization_oid
    join regions r on r.code = c.region_code
    join cabinet_types t on t.code = c.type_code
    left join cabinets e on e.id = c.editorial_cabinet_id
    left join applications a on a.id = c.application_id
    where c.id = ${cabinetId}::uuid`,
  );
  if (!row) return undefined;
  const spheres = await queryRows<NamedCode>(
    db,
    sql`select s.code, s.name from cabinet_spheres cs
    join spheres s on s.code = cs.sphere_code
    where cs.cabinet_id = ${cabinetId}::uuid
    order by s.name`,
  );
  const history = row.application_id
    ? await loadApplicationHistory(db, row.application_id)
    : [];
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    status: row.status,
    organization: {
      oid: row.organization_oid,
      fullName: row.org_full_name,
      shortName: row.org_short_name,
      ogrn: row.org_ogrn,
    },
    region: { code: row.region_code, name: row.region_name },
    type: { code: row.type_code, name: row.type_name },
    editorialCabinet: row.editorial_cabinet_id
      ? { id: row.editorial_cabinet_id, name: row.editorial_cabinet_name ?? "" }
      : null,
    spheres,
    email: row.email,
    createdAt: row.created_at,
    application:
      row.application_id && row.application_reference
        ? { id: row.application_id, reference: row.application_reference }
        : null,
    history,
  };
}

export interface BoundCabinet {
  id: string;
  name: string;
  status: "active" | "closed";
  organizationName: string;
  ogrn: string;
  typeName: string;
  createdAt: string;
}

/** Position after the last row of a page: the sort key (name, id). */
export interface BoundCabinetCursor {
  name: string;
  id: string;
}

/**
 * Lists the work cabinets bound to an editorial cabinet by name, a page at a
 * time with keyset pagination on (name, id).
 */
export async function listBoundCabinets(
  db: Executor,
  editorialCabinetId: string,
  pageSize: number,
  cursor?: BoundCabinetCursor,
): Promise<{ items: BoundCabinet[]; nextCursor: BoundCabinetCursor | null }> {
  const after = cursor
    ? sql`and (c.name, c.id) > (${cursor.name}, ${cursor.id}::uuid)`
    : sql``;
  const rows = await queryRows<{
    id: string;
    name: string;
    status: "active" | "closed";
    organization_name: string;
    ogrn: string;
    type_name: string;
    created_at: string;
  }>(
    db,
    sql`select c.id, c.name, c.status, o.full_name as organization_name, o.ogrn,
      t.name as type_name,
      to_char(c.created_at at time zone 'UTC', ${sql.raw(UTC_ISO)}) as created_at
    from cabinets c
    join organizations o on o.oid = c.organization_oid
    join cabinet_types t on t.code = c.type_code
    where c.editorial_cabinet_id = ${editorialCabinetId}::uuid ${after}
    order by c.name, c.id
    limit ${pageSize + 1}`,
  );
  const hasMore = rows.length > pageSize;
  const page = hasMore ? rows.slice(0, pageSize) : rows;
  const items = page.map((row) => ({
    id: row.id,
    name: row.name,
    status: row.status,
    organizationName: row.organization_name,
    ogrn: row.ogrn,
    typeName: row.type_name,
    createdAt: row.created_at,
  }));
  const last = page[page.length - 1];
  return {
    items,
    nextCursor: hasMore && last ? { name: last.name, id: last.id } : null,
  };
}

export interface CabinetHeader {
  id: string;
  kind: "editorial" | "work";
  name: string;
  organizationOid: string;
  regionCode: string;
  regionName: string;
  editorialCabinetId: string | null;
}

/** The columns that decide who may see a cabinet, or undefined. */
export async function loadCabinetHeader(
  db: Executor,
  cabinetId: string,
): Promise<CabinetHeader | undefined> {
  const [row] = await queryRows<{
    id: string;
    kind: "editorial" | "work";
    name: string;
    organization_oid: string;
    region_code: string;
    region_name: string;
    editorial_cabinet_id: string | null;
  }>(
    db,
    sql`select c.id, c.kind, c.name, c.organization_oid, c.region_code,
      r.name as region_name, c.editorial_cabinet_id
    from cabinets c join regions r on r.code = c.region_code
    where c.id = ${cabinetId}::uuid`,
  );
  if (!row) return undefined;
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    organizationOid: row.organization_oid,
    regionCode: row.region_code,
    regionName: row.region_name,
    editorialCabinetId: row.editorial_cabinet_id,
  };
}
