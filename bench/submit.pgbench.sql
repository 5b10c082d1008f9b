-- The SQL transaction of one application submit, statement for statement as
-- submitApplication (src/server/services/applications.ts) sends it through
-- node-postgres: the same two statements, each its own transaction (the
-- second writes every row at once), with the same tables, columns,
-- predicates and row counts. Run by bench/pgbench.ts
-- with -M extended (parse, bind, execute per statement, as node-postgres
-- does) and -D editorials=<editorial cabinets>.
-- Each transaction is a new organization and person (random 15-digit oids)
-- applying for a work cabinet bound to a random generated editorial cabinet,
-- with two spheres, in region 01 whatever the cabinet's region (the region
-- changes no cost). The service generates the application and revision ids
-- and renders the two messages before the second statement. Here the ids are
-- md5-based, and the messages are fixed text of the same length. Its mail goes
-- to addresses at pgbench.example, which the benchmark marks as sent after
-- the run, so that the product's outbox worker never picks it up.
\set n random(1, 999999999999999)
\set k random(1, :editorials)
\set body random(100000000000, 999999999999)
\set check (:body % 11) % 10
select e.id as earlier_id, e.applicant_oid as earlier_applicant_oid,
  e.organization_oid as earlier_organization_oid, e.kind as earlier_kind,
  (select c.id from cabinets c
    where c.organization_oid = :n::text and c.kind = 'work'
      and c.status = 'active') as cabinet_id,
  (select a.reference from applications a
    where a.organization_oid = :n::text and a.kind = 'work'
      and a.state in ('submitted', 'rejected')) as open_reference,
  (select coalesce(json_agg(s.code), '[]'::json) from spheres s
    where s.code in ('culture', 'education') and s.retired_at is null) as known_spheres,
  (select json_build_object(
    'id', own.id, 'organizationOid', own.organization_oid,
    'name', own.name, 'regionCode', own.region_code,
    'typeCode', own.type_code, 'email', own.email,
    'kind', own.kind, 'status', own.status,
    'spheres', coalesce((select json_agg(cs.sphere_code) from cabinet_spheres cs
      where cs.cabinet_id = own.id), '[]'::json)) from cabinets own
    where own.organization_oid = :n::text
      and own.kind = 'editorial' and own.status = 'active') as own,
  (select json_build_object(
    'id', chosen.id, 'organizationOid', chosen.organization_oid,
    'name', chosen.name, 'regionCode', chosen.region_code,
    'typeCode', chosen.type_code, 'email', chosen.email,
    'kind', chosen.kind, 'status', chosen.status,
    'spheres', '[]'::json) from cabinets chosen
    where chosen.id = ('c0000000-0000-4000-8000-' || lpad(to_hex(:k::int), 12, '0'))::uuid) as chosen,
  nextval('application_reference_seq')::int as sequence
from (select 1) as one
left join applications e on e.idempotency_key = md5(:n::text)::uuid \gset
with person as (insert into persons as p (oid, last_name, first_name, middle_name, email, mobile)
    values (:n::text, 'Иванов', 'Иван', 'Иванович', 'person' || :n::text || '@pgbench.example', '+7(900)1234567')
    on conflict (oid) do update set
      last_name = excluded.last_name, first_name = excluded.first_name,
      middle_name = excluded.middle_name, email = excluded.email,
      mobile = excluded.mobile, updated_at = now()
    where (p.last_name, p.first_name, p.middle_name, p.email, p.mobile)
      is distinct from (excluded.last_name, excluded.first_name,
        excluded.middle_name, excluded.email, excluded.mobile)),
  organization as (insert into organizations as o (oid, ogrn, full_name, short_name, type, is_liquidated)
    values (:n::text, :body::text || :check::text, 'Государственное бюджетное учреждение «Школа № ' || :n::text || '»', 'Школа № ' || :n::text, 'AGENCY', false)
    on conflict (oid) do update set
      ogrn = excluded.ogrn, full_name = excluded.full_name,
      short_name = excluded.short_name, type = excluded.type,
      is_liquidated = excluded.is_liquidated, updated_at = now()
    where (o.ogrn, o.full_name, o.short_name, o.type, o.is_liquidated)
      is distinct from (excluded.ogrn, excluded.full_name, excluded.short_name,
        excluded.type, excluded.is_liquidated)),
  application as (
    insert into applications (id, reference, kind, organization_oid,
      applicant_oid, state, revision, name, region_code, type_code,
      editorial_cabinet_id, email, ogrn, idempotency_key)
    values (md5('a' || :n::text)::uuid, 'ГП-2026-' || :sequence::text, 'work', :n::text,
      :n::text, 'submitted', 1, 'Школа № ' || :n::text, '01', 'roiv_subordinate',
      ('c0000000-0000-4000-8000-' || lpad(to_hex(:k::int), 12, '0'))::uuid,
      'school' || :n::text || '@pgbench.example', :body::text || :check::text,
      md5(:n::text)::uuid)
  ), claim as (
    insert into name_claims (scope, name_key, application_id)
    values ('editorial:' || 'c0000000-0000-4000-8000-' || lpad(to_hex(:k::int), 12, '0'), 'школа № ' || :n::text, md5('a' || :n::text)::uuid)
  ), revision as (
    insert into application_revisions (id, application_id, number, name,
      region_code, type_code, editorial_cabinet_id, email, submitted_by)
    values (md5('r' || :n::text)::uuid, md5('a' || :n::text)::uuid, 1, 'Школа № ' || :n::text, '01',
      'roiv_subordinate', ('c0000000-0000-4000-8000-' || lpad(to_hex(:k::int), 12, '0'))::uuid,
      'school' || :n::text || '@pgbench.example', :n::text)
  ), revision_sphere as (
    insert into revision_spheres (revision_id, sphere_code)
    values (md5('r' || :n::text)::uuid, 'culture'), (md5('r' || :n::text)::uuid, 'education')
  ), mail as (insert into mail_outbox (template, to_address, subject, body, application_id) values
    ('application_submitted', 'school' || :n::text || '@pgbench.example', 'Заявка № ГП-2026-' || :sequence::text || ' принята на рассмотрение', 'Заявка № ГП-2026-' || :sequence::text || ' на рабочий кабинет «Школа № ' || :n::text || E'»\nОрганизация: Государственное бюджетное учреждение «Школа № ' || :n::text || E'»\nСтатус: на рассмотрении\n\nВаша заявка на подключение кабинета находится на рассмотрении. Результат рассмотрения придёт на этот адрес.\n\nЗаявка: http://127.0.0.1:3000/applications/' || md5('a' || :n::text)::uuid::text || E'\n\n--\nПОС «Госпаблики». Это письмо отправлено автоматически, отвечать на него не нужно.', md5('a' || :n::text)::uuid),
    ('review_requested', 'kr' || :k::text || '@pgbench.example', 'Новая заявка № ГП-2026-' || :sequence::text || ' ждёт рассмотрения', 'Заявка № ГП-2026-' || :sequence::text || ' на рабочий кабинет «Школа № ' || :n::text || E'»\nОрганизация: Государственное бюджетное учреждение «Школа № ' || :n::text || E'»\nСтатус: на рассмотрении\n\nПоступила новая заявка на подключение кабинета. Одобрите или отклоните её.\n\nЗаявка: http://127.0.0.1:3000/review/' || md5('a' || :n::text)::uuid::text || E'\n\n--\nПОС «Госпаблики». Это письмо отправлено автоматически, отвечать на него не нужно.', md5('a' || :n::text)::uuid))
insert into audit_events (actor_oid, action, application_id, revision, to_state)
values (:n::text, 'application_submitted', md5('a' || :n::text)::uuid, 1, 'submitted');
