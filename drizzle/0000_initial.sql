CREATE TABLE "application_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"revision" integer NOT NULL,
	"decision" text NOT NULL,
	"reason" text,
	"decided_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "application_decisions_decision" CHECK ("application_decisions"."decision" in ('approved', 'rejected')),
	CONSTRAINT "application_decisions_reason" CHECK ("application_decisions"."decision" <> 'rejected' or ("application_decisions"."reason" is not null and char_length("application_decisions"."reason") between 1 and 2000))
);
--> statement-breakpoint
CREATE TABLE "application_revisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"name" text NOT NULL,
	"region_code" text NOT NULL,
	"type_code" text NOT NULL,
	"editorial_cabinet_id" uuid,
	"email" text NOT NULL,
	"submitted_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "application_revisions_number_positive" CHECK ("application_revisions"."number" >= 1)
);
--> statement-breakpoint
CREATE TABLE "applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"kind" text NOT NULL,
	"organization_oid" text NOT NULL,
	"applicant_oid" text NOT NULL,
	"state" text NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"name" text NOT NULL,
	"region_code" text NOT NULL,
	"type_code" text NOT NULL,
	"editorial_cabinet_id" uuid,
	"email" text NOT NULL,
	"ogrn" text NOT NULL,
	"cabinet_id" uuid,
	"rejection_reason" text,
	"idempotency_key" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "applications_reference_unique" UNIQUE("reference"),
	CONSTRAINT "applications_idempotency_key_unique" UNIQUE("idempotency_key"),
	CONSTRAINT "applications_kind" CHECK ("applications"."kind" in ('editorial', 'work')),
	CONSTRAINT "applications_state" CHECK ("applications"."state" in ('submitted', 'approved', 'rejected', 'withdrawn')),
	CONSTRAINT "applications_editorial_binding" CHECK (("applications"."kind" = 'work') = ("applications"."editorial_cabinet_id" is not null)),
	CONSTRAINT "applications_editorial_type" CHECK ("applications"."kind" = 'work' or "applications"."type_code" in ('roiv', 'omsu')),
	CONSTRAINT "applications_approved_has_cabinet" CHECK (("applications"."state" = 'approved') = ("applications"."cabinet_id" is not null)),
	CONSTRAINT "applications_rejected_has_reason" CHECK ("applications"."state" <> 'rejected' or "applications"."rejection_reason" is not null),
	CONSTRAINT "applications_name_length" CHECK (char_length("applications"."name") between 3 and 200),
	CONSTRAINT "applications_revision_positive" CHECK ("applications"."revision" >= 1)
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_oid" text,
	"action" text NOT NULL,
	"application_id" uuid,
	"cabinet_id" uuid,
	"revision" integer,
	"from_state" text,
	"to_state" text,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "cabinet_spheres" (
	"cabinet_id" uuid NOT NULL,
	"sphere_code" text NOT NULL,
	CONSTRAINT "cabinet_spheres_cabinet_id_sphere_code_pk" PRIMARY KEY("cabinet_id","sphere_code")
);
--> statement-breakpoint
CREATE TABLE "cabinet_types" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"allows_editorial" boolean NOT NULL,
	"allows_work" boolean NOT NULL,
	CONSTRAINT "cabinet_types_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "cabinets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"organization_oid" text NOT NULL,
	"name" text NOT NULL,
	"region_code" text NOT NULL,
	"type_code" text NOT NULL,
	"editorial_cabinet_id" uuid,
	"email" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"application_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cabinets_kind" CHECK ("cabinets"."kind" in ('editorial', 'work')),
	CONSTRAINT "cabinets_status" CHECK ("cabinets"."status" in ('active', 'closed')),
	CONSTRAINT "cabinets_editorial_binding" CHECK (("cabinets"."kind" = 'work') = ("cabinets"."editorial_cabinet_id" is not null)),
	CONSTRAINT "cabinets_editorial_type" CHECK ("cabinets"."kind" = 'work' or "cabinets"."type_code" in ('roiv', 'omsu')),
	CONSTRAINT "cabinets_name_length" CHECK (char_length("cabinets"."name") between 3 and 200)
);
--> statement-breakpoint
CREATE TABLE "caught_mail" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"envelope_from" text,
	"envelope_to" text[] NOT NULL,
	"subject" text,
	"raw" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mail_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"template" text NOT NULL,
	"to_address" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"application_id" uuid,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"message_id" text,
	CONSTRAINT "mail_outbox_status" CHECK ("mail_outbox"."status" in ('pending', 'sent', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "name_claims" (
	"scope" text NOT NULL,
	"name_key" text NOT NULL,
	"application_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "name_claims_scope_name_key_pk" PRIMARY KEY("scope","name_key")
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"oid" text PRIMARY KEY NOT NULL,
	"ogrn" text NOT NULL,
	"full_name" text NOT NULL,
	"short_name" text NOT NULL,
	"type" text NOT NULL,
	"is_liquidated" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organizations_ogrn_format" CHECK ("organizations"."ogrn" ~ '^([0-9]{13}|[0-9]{15})$'),
	CONSTRAINT "organizations_type" CHECK ("organizations"."type" in ('LEGAL', 'BUSINESS', 'AGENCY'))
);
--> statement-breakpoint
CREATE TABLE "persons" (
	"oid" text PRIMARY KEY NOT NULL,
	"last_name" text NOT NULL,
	"first_name" text NOT NULL,
	"middle_name" text,
	"email" text,
	"mobile" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "regions" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "regions_code_format" CHECK ("regions"."code" ~ '^[0-9]{2}$')
);
--> statement-breakpoint
CREATE TABLE "revision_spheres" (
	"revision_id" uuid NOT NULL,
	"sphere_code" text NOT NULL,
	CONSTRAINT "revision_spheres_revision_id_sphere_code_pk" PRIMARY KEY("revision_id","sphere_code")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"person_oid" text NOT NULL,
	"profile" jsonb NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "spheres" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "spheres_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "application_decisions" ADD CONSTRAINT "application_decisions_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_decisions" ADD CONSTRAINT "application_decisions_decided_by_persons_oid_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."persons"("oid") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_revisions" ADD CONSTRAINT "application_revisions_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_revisions" ADD CONSTRAINT "application_revisions_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_revisions" ADD CONSTRAINT "application_revisions_type_code_cabinet_types_code_fk" FOREIGN KEY ("type_code") REFERENCES "public"."cabinet_types"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_revisions" ADD CONSTRAINT "application_revisions_editorial_cabinet_id_cabinets_id_fk" FOREIGN KEY ("editorial_cabinet_id") REFERENCES "public"."cabinets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_revisions" ADD CONSTRAINT "application_revisions_submitted_by_persons_oid_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."persons"("oid") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_organization_oid_organizations_oid_fk" FOREIGN KEY ("organization_oid") REFERENCES "public"."organizations"("oid") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_applicant_oid_persons_oid_fk" FOREIGN KEY ("applicant_oid") REFERENCES "public"."persons"("oid") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_type_code_cabinet_types_code_fk" FOREIGN KEY ("type_code") REFERENCES "public"."cabinet_types"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_editorial_cabinet_id_cabinets_id_fk" FOREIGN KEY ("editorial_cabinet_id") REFERENCES "public"."cabinets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_cabinet_id_cabinets_id_fk" FOREIGN KEY ("cabinet_id") REFERENCES "public"."cabinets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_cabinet_id_cabinets_id_fk" FOREIGN KEY ("cabinet_id") REFERENCES "public"."cabinets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cabinet_spheres" ADD CONSTRAINT "cabinet_spheres_cabinet_id_cabinets_id_fk" FOREIGN KEY ("cabinet_id") REFERENCES "public"."cabinets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cabinet_spheres" ADD CONSTRAINT "cabinet_spheres_sphere_code_spheres_code_fk" FOREIGN KEY ("sphere_code") REFERENCES "public"."spheres"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cabinets" ADD CONSTRAINT "cabinets_organization_oid_organizations_oid_fk" FOREIGN KEY ("organization_oid") REFERENCES "public"."organizations"("oid") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cabinets" ADD CONSTRAINT "cabinets_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cabinets" ADD CONSTRAINT "cabinets_type_code_cabinet_types_code_fk" FOREIGN KEY ("type_code") REFERENCES "public"."cabinet_types"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD CONSTRAINT "mail_outbox_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "name_claims" ADD CONSTRAINT "name_claims_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "revision_spheres" ADD CONSTRAINT "revision_spheres_revision_id_application_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."application_revisions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "revision_spheres" ADD CONSTRAINT "revision_spheres_sphere_code_spheres_code_fk" FOREIGN KEY ("sphere_code") REFERENCES "public"."spheres"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "application_decisions_one_per_revision" ON "application_decisions" USING btree ("application_id","revision");--> statement-breakpoint
CREATE UNIQUE INDEX "application_revisions_number" ON "application_revisions" USING btree ("application_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "applications_one_open_per_organization_kind" ON "applications" USING btree ("organization_oid","kind") WHERE "applications"."state" in ('submitted', 'rejected');--> statement-breakpoint
CREATE INDEX "applications_editorial_queue_idx" ON "applications" USING btree ("editorial_cabinet_id","state","queued_at","id");--> statement-breakpoint
CREATE INDEX "applications_region_queue_idx" ON "applications" USING btree ("region_code","state","queued_at","id");--> statement-breakpoint
CREATE INDEX "applications_queue_idx" ON "applications" USING btree ("state","queued_at","id");--> statement-breakpoint
CREATE INDEX "applications_applicant_idx" ON "applications" USING btree ("applicant_oid");--> statement-breakpoint
CREATE INDEX "audit_events_application_idx" ON "audit_events" USING btree ("application_id","id");--> statement-breakpoint
CREATE INDEX "audit_events_cabinet_idx" ON "audit_events" USING btree ("cabinet_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "cabinets_one_active_per_organization_kind" ON "cabinets" USING btree ("organization_oid","kind") WHERE "cabinets"."status" = 'active';--> statement-breakpoint
CREATE INDEX "cabinets_editorial_search_idx" ON "cabinets" USING btree ("kind","region_code","type_code","name");--> statement-breakpoint
CREATE INDEX "cabinets_editorial_cabinet_idx" ON "cabinets" USING btree ("editorial_cabinet_id");--> statement-breakpoint
CREATE INDEX "mail_outbox_due_idx" ON "mail_outbox" USING btree ("next_attempt_at") WHERE "mail_outbox"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "name_claims_application" ON "name_claims" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "organizations_ogrn_idx" ON "organizations" USING btree ("ogrn");--> statement-breakpoint
CREATE INDEX "sessions_expires_idx" ON "sessions" USING btree ("expires_at");