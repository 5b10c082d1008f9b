import { sql } from "drizzle-orm";
import type {
  EsiaOrganization,
  EsiaProfile,
} from "../../domain/esia-profile.js";
import type { Executor } from "../client.js";
import { organizations, persons } from "../schema.js";

/**
 * Stores the person and their organizations as ESIA returned them at sign-in,
 * keeping only the personal data the product shows (name, e-mail, mobile).
 */
export async function upsertProfile(
  db: Executor,
  profile: EsiaProfile,
): Promise<void> {
  await upsertPerson(db, profile);
  if (profile.organizations.length > 0) {
    await upsertOrganizations(db, profile.organizations);
  }
}

export async function upsertPerson(
  db: Executor,
  profile: EsiaProfile,
): Promise<void> {
  await db
    .insert(persons)
    .values({
      oid: profile.oid,
      lastName: profile.lastName,
      firstName: profile.firstName,
      middleName: profile.middleName,
      email: profile.email,
      mobile: profile.mobile,
    })
    .onConflictDoUpdate({
      target: persons.oid,
      set: {
        lastName: sql`excluded.last_name`,
        firstName: sql`excluded.first_name`,
        middleName: sql`excluded.middle_name`,
        email: sql`excluded.email`,
        mobile: sql`excluded.mobile`,
        updatedAt: sql`now()`,
      },
    });
}

export async function upsertOrganizations(
  db: Executor,
  list: EsiaOrganization[],
): Promise<void> {
  await db
    .insert(organizations)
    .values(
      list.map((org) => ({
        oid: org.oid,
        ogrn: org.ogrn,
        fullName: org.fullName,
        shortName: org.shortName,
        type: org.type,
        isLiquidated: org.isLiquidated,
      })),
    )
    .onConflictDoUpdate({
      target: organizations.oid,
      set: {
        ogrn: sql`excluded.ogrn`,
        fullName: sql`excluded.full_name`,
        shortName: sql`excluded.short_name`,
        type: sql`excluded.type`,
        isLiquidated: sql`excluded.is_liquidated`,
        updatedAt: sql`now()`,
      },
    });
}
