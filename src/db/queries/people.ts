import { sql, type SQL } from "drizzle-orm";
import type {
  EsiaOrganization,
  EsiaProfile,
} from "../../domain/esia-profile.js";
import type { Executor } from "../client.js";

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
  await db.execute(personUpsertSql(profile));
}

export async function upsertOrganizations(
  db: Executor,
  list: EsiaOrganization[],
): Promise<void> {
  await db.execute(organizationsUpsertSql(list));
}

/**
 * Builds the upsert of a person as one statement, also usable in a
 * data-modifying WITH clause. A row that already contains these values is
 * left as it is, so a repeated sign-in or submission writes nothing and
 * `updated_at` is the time of the last change.
 */
export function personUpsertSql(profile: EsiaProfile): SQL {
  return sql`insert into persons as p (oid, last_name, first_name, middle_name, email, mobile)
    values (${profile.oid}, ${profile.lastName}, ${profile.firstName},
      ${profile.middleName}, ${profile.email}, ${profile.mobile})
    on conflict (oid) do update set
      last_name = excluded.last_name, first_name = excluded.first_name,
      middle_name = excluded.middle_name, email = excluded.email,
      mobile = excluded.mobile, updated_at = now()
    where (p.last_name, p.first_name, p.middle_name, p.email, p.mobile)
      is distinct from (excluded.last_name, excluded.first_name,
        excluded.middle_name, excluded.email, excluded.mobile)`;
}

/** Builds the upsert of organizations as one statement. Unchanged rows are left as they are. */
export function organizationsUpsertSql(list: EsiaOrganization[]): SQL {
  const values = sql.join(
    list.map(
      (org) =>
        sql`(${org.oid}, ${org.ogrn}, ${org.fullName}, ${org.shortName}, ${org.type}, ${org.isLiquidated})`,
    ),
    sql`, `,
  );
  return sql`insert into organizations as o (oid, ogrn, full_name, short_name, type, is_liquidated)
    values ${values}
    on conflict (oid) do update set
      ogrn = excluded.ogrn, full_name = excluded.full_name,
      short_name = excluded.short_name, type = excluded.type,
      is_liquidated = excluded.is_liquidated, updated_at = now()
    where (o.ogrn, o.full_name, o.short_name, o.type, o.is_liquidated)
      is distinct from (excluded.ogrn, excluded.full_name, excluded.short_name,
        excluded.type, excluded.is_liquidated)`;
}
