import { asc, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { spheres } from "../db/schema.js";

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

const CODE_FORMAT = /^[a-z][a-z0-9_]{1,63}$/;

export async function listSpheres(db: Database, includeRetired: boolean) {
  const rows = await db.select().from(spheres).orderBy(asc(spheres.name));
  return includeRetired ? rows : rows.filter((row) => row.retiredAt === null);
}

function checkCode(code: string) {
  if (!CODE_FORMAT.test(code)) {
    throw new CliError(
      `Sphere code "${code}" is invalid: use 2–64 lower-case Latin letters, digits and "_", starting with a letter`,
    );
  }
}

/**
 * Returns the sphere name with its spaces normalized, after checking its
 * length and that no sphere but `code` uses it.
 */
async function checkName(db: Database, code: string, name: string) {
  const trimmed = name.trim().replace(/\s+/g, " ");
  if (trimmed.length < 2 || trimmed.length > 200) {
    throw new CliError(
      `Sphere name "${name}" is invalid: use 2–200 characters`,
    );
  }
  const [byName] = await db
    .select()
    .from(spheres)
    .where(sql`lower(${spheres.name}) = lower(${trimmed})`);
  if (byName && byName.code !== code) {
    throw new CliError(
      `Sphere name "${trimmed}" is already used by sphere "${byName.code}"`,
    );
  }
  return trimmed;
}

async function findSphere(db: Database, code: string) {
  const [existing] = await db
    .select()
    .from(spheres)
    .where(eq(spheres.code, code));
  return existing;
}

/**
 * Adds a sphere, or brings back a retired one with the same code under the
 * given name. Rejects the code of an active sphere, because renaming it is a
 * separate command.
 */
export async function addSphere(db: Database, code: string, name: string) {
  checkCode(code);
  const existing = await findSphere(db, code);
  if (existing && !existing.retiredAt) {
    throw new CliError(
      `Sphere "${code}" already exists as "${existing.name}": run "npm run cli -- spheres rename ${code} <name>" to change its name`,
    );
  }
  const trimmed = await checkName(db, code, name);
  if (existing) {
    await db
      .update(spheres)
      .set({ name: trimmed, retiredAt: null })
      .where(eq(spheres.code, code));
    return "restored";
  }
  await db.insert(spheres).values({ code, name: trimmed });
  return "added";
}

/** Changes the name of a sphere, active or retired, and keeps its state. */
export async function renameSphere(db: Database, code: string, name: string) {
  const existing = await findSphere(db, code);
  if (!existing) {
    throw new CliError(
      `Sphere "${code}" does not exist: run "npm run cli -- spheres list --all" to see the codes`,
    );
  }
  const trimmed = await checkName(db, code, name);
  if (existing.name === trimmed) return "already has this name";
  await db.update(spheres).set({ name: trimmed }).where(eq(spheres.code, code));
  return `renamed from "${existing.name}" to "${trimmed}"`;
}

/** Retires a sphere: old records keep it, forms no longer offer it. */
export async function retireSphere(db: Database, code: string) {
  const [existing] = await db
    .select()
    .from(spheres)
    .where(eq(spheres.code, code));
  if (!existing) {
    throw new CliError(
      `Sphere "${code}" does not exist: run "npm run cli -- spheres list --all" to see the codes`,
    );
  }
  if (existing.retiredAt) return "already retired";
  await db
    .update(spheres)
    .set({ retiredAt: sql`now()` })
    .where(eq(spheres.code, code));
  return "retired";
}
