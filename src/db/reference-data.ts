import { sql } from "drizzle-orm";
import { CABINET_TYPE_INFO } from "../domain/cabinets.js";
import { REGIONS } from "../domain/regions.js";
import { DEFAULT_SPHERES } from "../domain/spheres.js";
import type { Executor } from "./client.js";
import { cabinetTypes, regions, spheres } from "./schema.js";

/**
 * Loads the regions, cabinet types and default spheres. Idempotent: existing
 * rows keep their values, so a sphere retired by the operator stays retired.
 */
export async function seedReferenceData(db: Executor): Promise<void> {
  await db
    .insert(regions)
    .values([...REGIONS])
    .onConflictDoUpdate({
      target: regions.code,
      set: { name: sql`excluded.name` },
    });
  await db
    .insert(cabinetTypes)
    .values(
      Object.values(CABINET_TYPE_INFO).map((info) => ({
        code: info.code,
        name: info.name,
        allowsEditorial: info.kinds.includes("editorial"),
        allowsWork: info.kinds.includes("work"),
      })),
    )
    .onConflictDoNothing();
  await db
    .insert(spheres)
    .values([...DEFAULT_SPHERES])
    .onConflictDoNothing();
}
