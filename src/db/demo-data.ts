import { sql } from "drizzle-orm";
import type { Database } from "./client.js";
import { queryRows } from "./client.js";
import { cabinetSpheres, cabinets, organizations } from "./schema.js";

/**
 * The demo cabinets of the embedded default: the editorial cabinets «КР РОИВ»
 * and «КР ОМСУ» in Санкт-Петербург, owned by organizations of the ESIA
 * simulator's demo fixture. Loaded once, into a database without cabinets.
 */
export const DEMO_ORGANIZATIONS = [
  {
    oid: "1000000101",
    ogrn: "1027800001019",
    fullName: "Комитет по информационной политике Санкт-Петербурга",
    shortName: "КИП СПб",
    type: "AGENCY",
  },
  {
    oid: "1000000102",
    ogrn: "1027800001020",
    fullName: "Местная администрация муниципального образования Тестовый округ",
    shortName: "МА МО Тестовый",
    type: "AGENCY",
  },
] as const;

export const DEMO_EDITORIAL_CABINETS = [
  {
    id: "00000000-0000-4000-8000-000000000101",
    organizationOid: "1000000101",
    name: "КР РОИВ",
    typeCode: "roiv",
    email: "kr-roiv@demo.gospubliki.localhost",
  },
  {
    id: "00000000-0000-4000-8000-000000000102",
    organizationOid: "1000000102",
    name: "КР ОМСУ",
    typeCode: "omsu",
    email: "kr-omsu@demo.gospubliki.localhost",
  },
] as const;

/** Loads the demo cabinets; returns false when the database already has cabinets. */
export async function loadDemoData(db: Database): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await queryRows<{ count: number }>(
      tx,
      sql`select count(*)::int as count from cabinets`,
    );
    if ((row?.count ?? 0) > 0) return false;
    await tx
      .insert(organizations)
      .values(DEMO_ORGANIZATIONS.map((org) => ({ ...org })))
      .onConflictDoNothing();
    for (const cabinet of DEMO_EDITORIAL_CABINETS) {
      await tx.insert(cabinets).values({
        ...cabinet,
        kind: "editorial",
        regionCode: "78",
      });
      await tx
        .insert(cabinetSpheres)
        .values({ cabinetId: cabinet.id, sphereCode: "test_pp" });
    }
    return true;
  });
}
