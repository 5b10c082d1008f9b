-- Rules the Drizzle schema cannot express: circular foreign keys, the
-- reference-number sequence, and append-only tables.
ALTER TABLE "cabinets" ADD CONSTRAINT "cabinets_editorial_cabinet_id_fk" FOREIGN KEY ("editorial_cabinet_id") REFERENCES "cabinets"("id");
--> statement-breakpoint
ALTER TABLE "cabinets" ADD CONSTRAINT "cabinets_application_id_fk" FOREIGN KEY ("application_id") REFERENCES "applications"("id");
--> statement-breakpoint
CREATE SEQUENCE "application_reference_seq";
--> statement-breakpoint
CREATE FUNCTION "reject_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'rows of % are append-only', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "application_revisions_append_only" BEFORE UPDATE OR DELETE ON "application_revisions" FOR EACH ROW EXECUTE FUNCTION "reject_change"();
--> statement-breakpoint
CREATE TRIGGER "revision_spheres_append_only" BEFORE UPDATE OR DELETE ON "revision_spheres" FOR EACH ROW EXECUTE FUNCTION "reject_change"();
--> statement-breakpoint
CREATE TRIGGER "application_decisions_append_only" BEFORE UPDATE OR DELETE ON "application_decisions" FOR EACH ROW EXECUTE FUNCTION "reject_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION "reject_change"();
--> statement-breakpoint
CREATE TRIGGER "applications_no_delete" BEFORE DELETE ON "applications" FOR EACH ROW EXECUTE FUNCTION "reject_change"();
