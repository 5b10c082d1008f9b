-- Text search of the review queue: a substring of the cabinet name, or a
-- prefix of the ОГРН. pg_trgm lets a GIN index answer `name ILIKE '%…%'`
-- (including Cyrillic) without scanning the table; it is a trusted extension
-- since PostgreSQL 13, so the database owner may create it. PGlite loads it
-- from @electric-sql/pglite/contrib/pg_trgm in src/db/client.ts.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "applications_name_trgm_idx" ON "applications" USING gin ("name" gin_trgm_ops);
--> statement-breakpoint
-- text_pattern_ops lets `ogrn LIKE '102…%'` use the index under any collation.
CREATE INDEX IF NOT EXISTS "applications_ogrn_prefix_idx" ON "applications" ("ogrn" text_pattern_ops);
