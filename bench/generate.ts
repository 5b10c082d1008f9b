/**
 * Generates a national-scale data set inside the database with set-based
 * `INSERT … SELECT generate_series(…)` statements, so no row crosses the
 * client connection. The same SQL runs on PostgreSQL and on PGlite.
 *
 * Shape (at scale 1):
 * - 20,000 editorial cabinets over the 89 regions, every fifth one «РОИВ» and
 *   the rest «ОМСУ», each created by an approved editorial application of its
 *   own organization (an «AGENCY»);
 * - 300,000 organizations with valid ОГРН check digits and one ESIA person
 *   each; the 280,000 that are not editorial bodies are bound to one editorial
 *   cabinet, chosen with a skew (cabinet rank = 20,000 × h⁴ for a uniform h),
 *   so the first cabinets have long review queues, as a big region's ministry
 *   would;
 * - 1,000,000 applications: the 20,000 editorial ones and 3–4 work
 *   applications per subordinate organization. The last application of an
 *   organization is approved (45 %), submitted (35 %), rejected (12 %) or
 *   withdrawn (8 %); the earlier ones are withdrawn. Some applications were
 *   rejected and resubmitted, so they have 2–3 revisions, each with 1–3
 *   spheres and a decision for each decided revision;
 * - a work cabinet for each approved work application, name claims for open
 *   applications and active cabinets, and an audit event for each transition.
 */

export interface DatasetSizes {
  editorialCabinets: number;
  organizations: number;
  applications: number;
}

export const FULL_SIZES: DatasetSizes = {
  editorialCabinets: 20_000,
  organizations: 300_000,
  applications: 1_000_000,
};

/** Returns the sizes at a fraction of full scale; `scale` 1 is the full data set. */
export function scaledSizes(scale: number): DatasetSizes {
  const round = (value: number) => Math.max(1, Math.round(value * scale));
  const sizes = {
    editorialCabinets: round(FULL_SIZES.editorialCabinets),
    organizations: round(FULL_SIZES.organizations),
    applications: round(FULL_SIZES.applications),
  };
  if (sizes.organizations <= sizes.editorialCabinets) {
    throw new Error(
      `scale ${scale} leaves no subordinate organizations: use a scale of at least 0.001`,
    );
  }
  return sizes;
}

/** Executes one SQL statement without parameters and returns its rows. */
export type RunSql = (statement: string) => Promise<Record<string, unknown>[]>;

/** Numeric ranges of the generated ids, shared with the load scripts. */
export const IDS = {
  /** Organization n (1-based) has oid `ORGANIZATION_OID_BASE + n`. */
  organizationOidBase: 2_000_000_000,
  /** The applicant of organization n has oid `PERSON_OID_BASE + n`. */
  personOidBase: 3_000_000_000,
  /** The platform operator who decided the editorial applications. */
  operatorOid: "3999999999",
  /** 12-digit ОГРН body of organization n: `OGRN_BODY_BASE + 7n`. */
  ogrnBodyBase: 102_770_000_000,
} as const;

/**
 * Returns an SQL expression of a deterministic UUID for entity number `n`.
 * The first hex digit marks the table: a applications, b revisions,
 * c editorial cabinets, d work cabinets.
 */
export function uuidSql(prefix: "a" | "b" | "c" | "d", n: string): string {
  return `('${prefix}0000000-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
}

/**
 * Returns an SQL expression of a uniform value in [0, 1) from an integer and
 * a seed, by PostgreSQL's own integer hash. Different seeds give independent
 * values.
 */
function hashSql(n: string, seed: number): string {
  return `((hashint4extended((${n})::int, ${seed}) & 4294967295) / 4294967296.0)`;
}

/** Prefix of the generator's own work tables, dropped when it ends. */
const WORK_TABLE_PREFIX = "bench_";
/**
 * Returns an SQL expression of the ОГРН of organization n: a 12-digit body
 * and its check digit, the remainder of the body divided by 11, modulo 10.
 */
export function ogrnSql(n: string): string {
  const body = `(${IDS.ogrnBodyBase}::bigint + 7 * (${n}))`;
  return `(${body}::text || ((${body} % 11) % 10)::text)`;
}

const STAGING = `${WORK_TABLE_PREFIX}apps`;
const SAVED = `${WORK_TABLE_PREFIX}saved_ddl`;

/**
 * Drops the secondary indexes and the foreign keys of the product's tables,
 * keeping their definitions in a table, so the bulk load does not maintain
 * them row by row. `restoreIndexesAndKeys` recreates and validates them.
 */
async function dropIndexesAndKeys(run: RunSql): Promise<void> {
  await run(`
    create table ${SAVED} as
    select 1 as step, format('alter table %I drop constraint %I', c.conrelid::regclass::text, c.conname) as drop_ddl,
           format('alter table %I add constraint %I %s', c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)) as create_ddl
      from pg_constraint c
     where c.contype = 'f' and c.connamespace = 'public'::regnamespace
    union all
    select 2, format('drop index %I', i.indexname), i.indexdef
      from pg_indexes i
     where i.schemaname = 'public'
       and i.tablename not like '${WORK_TABLE_PREFIX}%'
       and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`);
  await run(`
    do $$
    declare statement text;
    begin
      for statement in select drop_ddl from ${SAVED} order by step loop
        execute statement;
      end loop;
    end $$`);
}

/**
 * Recreates the dropped indexes, spread over the connections, then the
 * foreign keys on one connection, because two foreign keys between the same
 * pair of tables added at once can deadlock. Unique indexes check the
 * generated data, and each foreign key validates every row.
 */
async function restoreIndexesAndKeys(runners: RunSql[]): Promise<void> {
  const first = runners[0]!;
  const saved = await first(
    `select step, create_ddl from ${SAVED} order by step desc, create_ddl`,
  );
  const indexes = saved
    .filter((row) => row.step === 2)
    .map((row) => String(row.create_ddl));
  const keys = saved
    .filter((row) => row.step === 1)
    .map((row) => String(row.create_ddl));
  await Promise.all(
    runners.map(async (run) => {
      for (let ddl = indexes.shift(); ddl; ddl = indexes.shift()) {
        await run(ddl);
      }
    }),
  );
  for (const ddl of keys) await first(ddl);
  await first(`drop table ${SAVED}`);
}

/**
 * Fills an empty, migrated database. Reference data (regions, cabinet types,
 * spheres) must already be loaded. Ends with VACUUM (ANALYZE) and a
 * checkpoint.
 */
export async function generateDataset(
  runners: RunSql[],
  sizes: DatasetSizes,
  log: (message: string) => void = () => {},
): Promise<void> {
  const editorial = sizes.editorialCabinets;
  const organizations = sizes.organizations;
  const subordinate = organizations - editorial;
  const workApplications = sizes.applications - editorial;
  if (workApplications < subordinate) {
    throw new Error(
      `${sizes.applications} applications are too few for ${organizations} organizations: each subordinate organization needs one`,
    );
  }
  const perOrganization = Math.floor(workApplications / subordinate);
  const withExtra = workApplications % subordinate;
  const statements = new Map<string, string>();
  const step = (name: string, statement: string) => {
    statements.set(name, statement);
  };

  step(
    "organizations",
    `insert into organizations (oid, ogrn, full_name, short_name, type, is_liquidated)
     select (${IDS.organizationOidBase} + n)::text,
            ${ogrnSql("n")},
            case when n <= ${editorial}
                 then (array['Министерство', 'Комитет', 'Департамент', 'Администрация', 'Управление'])[1 + n % 5]
                      || ' по делам организации № ' || n
                 else (array['Государственное бюджетное учреждение', 'Муниципальное казённое учреждение',
                             'Государственное автономное учреждение', 'Муниципальное бюджетное учреждение'])[1 + n % 4]
                      || ' «' || (array['Школа', 'Поликлиника', 'Библиотека', 'Дом культуры', 'Центр социального обслуживания',
                                        'Спортивная школа', 'Детский сад', 'Музей', 'Больница', 'Колледж'])[1 + n % 10]
                      || ' № ' || n || '»'
            end,
            case when n <= ${editorial} then 'Орган № ' || n else 'Учреждение № ' || n end,
            case when n <= ${editorial} or n % 9 = 0 then 'AGENCY' else 'LEGAL' end,
            false
       from generate_series(1, ${organizations}) as n`,
  );

  step(
    "persons",
    `insert into persons (oid, last_name, first_name, middle_name, email, mobile)
     select (${IDS.personOidBase} + n)::text,
            (array['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов'])[1 + n % 8],
            (array['Иван', 'Алексей', 'Сергей', 'Дмитрий', 'Андрей', 'Михаил', 'Николай'])[1 + n % 7],
            (array['Иванович', 'Петрович', 'Сергеевич', 'Андреевич', 'Олегович'])[1 + n % 5],
            'person' || n || '@example.ru',
            '+7(900)' || lpad((n % 10000000)::text, 7, '0')
       from generate_series(1, ${organizations}) as n
     union all
     select '${IDS.operatorOid}', 'Операторов', 'Оператор', null, 'operator@example.ru', '+7(900)0000000'`,
  );

  // One row per application with everything the tables below derive from it.
  // app_no: editorial applications 1..E; the j-th work application of
  // subordinate organization m is E + (j - 1) * M + m.
  step(
    "staging",
    `create unlogged table ${STAGING} as
     with region_list as (select array_agg(code order by code) as codes from regions),
     editorial as (
       select k,
              (select codes[1 + (k - 1) % array_length(codes, 1)] from region_list) as region_code,
              case when k % 5 = 1 then 'roiv' else 'omsu' end as type_code
         from generate_series(1, ${editorial}) as k
     ),
     subordinate as (
       select m,
              1 + least(${editorial} - 1, floor(${editorial} * power(${hashSql("m", 17)}, 4))::int) as k,
              ${hashSql("m", 91)} as state_draw,
              ${hashSql("m", 57)} as time_draw,
              ${perOrganization} + case when m <= ${withExtra} then 1 else 0 end as app_count
         from generate_series(1, ${subordinate}) as m
     ),
     work as (
       select ${editorial} + (j - 1) * ${subordinate} + s.m as app_no,
              ${editorial} + s.m as org_no,
              s.k,
              e.region_code,
              case when e.type_code = 'omsu' then 'omsu_subordinate'
                   when s.m % 3 = 0 then 'roiv_territorial' else 'roiv_subordinate' end as type_code,
              case when j < s.app_count then 'withdrawn'
                   when s.state_draw < 0.45 then 'approved'
                   when s.state_draw < 0.80 then 'submitted'
                   when s.state_draw < 0.92 then 'rejected'
                   else 'withdrawn' end as state,
              s.m, j, s.app_count, s.time_draw
         from subordinate as s
         join editorial as e on e.k = s.k
         cross join lateral generate_series(1, s.app_count) as j
     )
     select e.k as app_no, 'editorial' as kind, e.k as org_no, e.k, e.region_code, e.type_code,
            'approved' as state, 1 as revisions,
            'КР ' || (case when e.type_code = 'roiv' then 'РОИВ' else 'ОМСУ' end) || ' № ' || e.k as name,
            'kr' || e.k || '@region' || e.region_code || '.gov.ru' as email,
            now() - interval '400 days' + e.k * interval '1 second' as started_at
       from editorial as e
     union all
     select w.app_no, 'work', w.org_no, w.k, w.region_code, w.type_code, w.state,
            case w.state
              when 'approved' then 1 + (w.m % 4 = 0)::int
              when 'submitted' then 1 + (w.m % 5 = 0)::int + (w.m % 25 = 0)::int
              when 'rejected' then 1 + (w.m % 3 = 0)::int
              else 1 + (w.m % 6 = 0)::int end,
            (array['Школа', 'Поликлиника', 'Библиотека', 'Дом культуры', 'Центр социального обслуживания',
                   'Спортивная школа', 'Детский сад', 'Музей', 'Больница', 'Колледж'])[1 + w.org_no % 10]
              || ' № ' || w.org_no,
            case when w.org_no % 10 = 0 then 'приемная' || w.org_no || '@учреждение.рф'
                 else 'office' || w.org_no || '@school' || w.region_code || '.ru' end,
            -- Earlier applications of an organization 40 days apart; the last
            -- one submitted within the last 30 days.
            now() - interval '3 hours'
              - (w.app_count - w.j) * interval '40 days'
              - floor(w.time_draw * 30 * 86400) * interval '1 second'
              - 5 * interval '1 day'
       from work as w`,
  );
  // Revisions are two days apart; a decision comes an hour after its revision
  // and a withdrawal two hours after.
  step(
    "applications",
    `insert into applications (id, reference, kind, organization_oid, applicant_oid, state, revision, name,
                               region_code, type_code, editorial_cabinet_id, email, ogrn, cabinet_id,
                               rejection_reason, created_at, queued_at, updated_at)
     select ${uuidSql("a", "s.app_no")},
            'ГП-' || extract(year from s.started_at)::int || '-'
              || lpad(s.app_no::text, greatest(6, length(s.app_no::text)), '0'),
            s.kind,
            (${IDS.organizationOidBase} + s.org_no)::text,
            (${IDS.personOidBase} + s.org_no)::text,
            s.state,
            s.revisions,
            s.name,
            s.region_code,
            s.type_code,
            case when s.kind = 'work' then ${uuidSql("c", "s.k")} end,
            s.email,
            ${ogrnSql("s.org_no")},
            case when s.state <> 'approved' then null
                 when s.kind = 'editorial' then ${uuidSql("c", "s.k")}
                 else ${uuidSql("d", "s.org_no")} end,
            case when s.state = 'rejected' then 'Название не соответствует уставу организации' end,
            s.started_at,
            s.started_at + (s.revisions - 1) * interval '2 days',
            s.started_at + (s.revisions - 1) * interval '2 days'
              + case s.state when 'approved' then interval '1 hour' when 'rejected' then interval '1 hour'
                             when 'withdrawn' then interval '2 hours' else interval '0' end
       from ${STAGING} as s`,
  );

  step(
    "cabinets",
    `insert into cabinets (id, kind, organization_oid, name, region_code, type_code, editorial_cabinet_id,
                           email, status, application_id, created_at)
     select case when s.kind = 'editorial' then ${uuidSql("c", "s.k")} else ${uuidSql("d", "s.org_no")} end,
            s.kind,
            (${IDS.organizationOidBase} + s.org_no)::text,
            s.name,
            s.region_code,
            s.type_code,
            case when s.kind = 'work' then ${uuidSql("c", "s.k")} end,
            s.email,
            'active',
            ${uuidSql("a", "s.app_no")},
            s.started_at + (s.revisions - 1) * interval '2 days' + interval '1 hour'
       from ${STAGING} as s
      where s.state = 'approved'`,
  );

  step(
    "revisions",
    `insert into application_revisions (id, application_id, number, name, region_code, type_code,
                                        editorial_cabinet_id, email, submitted_by, created_at)
     select ${uuidSql("b", "s.app_no * 4 + r")},
            ${uuidSql("a", "s.app_no")},
            r,
            s.name,
            s.region_code,
            s.type_code,
            case when s.kind = 'work' then ${uuidSql("c", "s.k")} end,
            s.email,
            (${IDS.personOidBase} + s.org_no)::text,
            s.started_at + (r - 1) * interval '2 days'
       from ${STAGING} as s
      cross join lateral generate_series(1, s.revisions) as r`,
  );

  // 1–3 spheres per revision out of the 17 regular ones (offsets 0, 5, 11
  // are distinct modulo 17).
  step(
    "revision spheres",
    `with sphere_list as (
       select array_agg(code order by code) as codes
         from spheres where retired_at is null and code not like 'test%'
     )
     insert into revision_spheres (revision_id, sphere_code)
     select ${uuidSql("b", "s.app_no * 4 + r")},
            l.codes[1 + (s.org_no + offsets.o) % array_length(l.codes, 1)]
       from ${STAGING} as s
      cross join lateral generate_series(1, s.revisions) as r
      cross join sphere_list as l
      cross join lateral unnest(array[0, 5, 11]) with ordinality as offsets(o, i)
      where offsets.i <= 1 + s.org_no % 3`,
  );

  step(
    "cabinet spheres",
    `with sphere_list as (
       select array_agg(code order by code) as codes
         from spheres where retired_at is null and code not like 'test%'
     )
     insert into cabinet_spheres (cabinet_id, sphere_code)
     select c.id, l.codes[1 + (s.org_no + offsets.o) % array_length(l.codes, 1)]
       from ${STAGING} as s
       join cabinets as c on c.application_id = ${uuidSql("a", "s.app_no")}
      cross join sphere_list as l
      cross join lateral unnest(array[0, 5, 11]) with ordinality as offsets(o, i)
      where offsets.i <= 1 + s.org_no % 3`,
  );

  // Every revision but the last was rejected; the last one is decided when
  // the application is approved or rejected. Work applications are decided
  // by the editorial organization's person, editorial ones by the operator.
  step(
    "decisions",
    `insert into application_decisions (application_id, revision, decision, reason, decided_by, created_at)
     select ${uuidSql("a", "s.app_no")},
            r,
            case when r < s.revisions or s.state = 'rejected' then 'rejected' else 'approved' end,
            case when r < s.revisions or s.state = 'rejected' then 'Название не соответствует уставу организации' end,
            case when s.kind = 'work' then (${IDS.personOidBase} + s.k)::text else '${IDS.operatorOid}' end,
            s.started_at + (r - 1) * interval '2 days' + interval '1 hour'
       from ${STAGING} as s
      cross join lateral generate_series(1, s.revisions) as r
      where r < s.revisions or s.state in ('approved', 'rejected')`,
  );

  step(
    "name claims",
    `insert into name_claims (scope, name_key, application_id, created_at)
     select case when s.kind = 'work' then 'editorial:' || ${uuidSql("c", "s.k")}::text
                 else 'region:' || s.region_code end,
            lower(s.name),
            ${uuidSql("a", "s.app_no")},
            s.started_at
       from ${STAGING} as s
      where s.state in ('submitted', 'rejected', 'approved')`,
  );

  // The events the services write: submitted or resubmitted per revision,
  // approved (plus cabinet_created) or rejected per decision, withdrawn.
  const reviewer = `case when s.kind = 'work' then (${IDS.personOidBase} + s.k)::text else '${IDS.operatorOid}' end`;
  const applicant = `(${IDS.personOidBase} + s.org_no)::text`;
  const rejected = `(r < s.revisions or s.state = 'rejected')`;
  const cabinet = `case when s.kind = 'editorial' then ${uuidSql("c", "s.k")} else ${uuidSql("d", "s.org_no")} end`;
  step(
    "audit events",
    `insert into audit_events (occurred_at, actor_oid, action, application_id, cabinet_id, revision,
                               from_state, to_state, details)
     select e.occurred_at, e.actor_oid, e.action, ${uuidSql("a", "s.app_no")}, e.cabinet_id, r,
            e.from_state, e.to_state, e.details
       from ${STAGING} as s
      cross join lateral generate_series(1, s.revisions) as r
      cross join lateral (
        select s.started_at + (r - 1) * interval '2 days' as occurred_at,
               ${applicant} as actor_oid,
               case when r = 1 then 'application_submitted' else 'application_resubmitted' end as action,
               null::uuid as cabinet_id,
               case when r = 1 then null else 'rejected' end as from_state,
               'submitted' as to_state,
               null::jsonb as details
        union all
        select s.started_at + (r - 1) * interval '2 days' + interval '1 hour', ${reviewer},
               case when ${rejected} then 'application_rejected' else 'application_approved' end,
               null, 'submitted',
               case when ${rejected} then 'rejected' else 'approved' end,
               case when ${rejected} then '{"reason": "Название не соответствует уставу организации"}'::jsonb end
         where r < s.revisions or s.state in ('approved', 'rejected')
        union all
        select s.started_at + (r - 1) * interval '2 days' + interval '1 hour', ${reviewer},
               'cabinet_created', ${cabinet}, null, null, null
         where r = s.revisions and s.state = 'approved'
        union all
        select s.started_at + (r - 1) * interval '2 days' + interval '2 hours', ${applicant},
               'application_withdrawn', null, 'submitted', 'withdrawn', null
         where r = s.revisions and s.state = 'withdrawn'
      ) as e`,
  );

  const run = runners[0]!;
  const timed = async (names: string[], lane: RunSql) => {
    for (const name of names) {
      const started = Date.now();
      await lane(statements.get(name)!);
      log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  };
  // Lanes of similar length; with one connection they run one after another.
  const inLanes = async (lanes: string[][]) => {
    if (runners.length === 1) {
      for (const names of lanes) await timed(names, run);
      return;
    }
    await Promise.all(
      lanes.map((names, index) => timed(names, runners[index % 2]!)),
    );
  };

  await dropIndexesAndKeys(run);
  await inLanes([["organizations"], ["persons"]]);
  await timed(["staging"], run);
  await inLanes([
    ["applications", "cabinets", "cabinet spheres", "name claims", "decisions"],
    ["revisions", "revision spheres", "audit events"],
  ]);
  await run(`drop table ${STAGING}`);
  await run(
    `select setval('application_reference_seq', ${sizes.applications + 1})`,
  );
  const started = Date.now();
  await restoreIndexesAndKeys(runners);
  log(
    `indexes and foreign keys: ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  // VACUUM sets the visibility map, so index-only scans work as in a
  // database that autovacuum has kept up, and autovacuum does not start in
  // the middle of a measured run. The checkpoint writes the load out now.
  step("vacuum analyze", "vacuum (analyze)");
  step("checkpoint", "checkpoint");
  await timed(["vacuum analyze", "checkpoint"], run);
}
