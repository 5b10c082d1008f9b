import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () =>
  timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

// Reference data.

export const regions = pgTable(
  "regions",
  {
    code: text("code").primaryKey(),
    name: text("name").notNull(),
  },
  (t) => [check("regions_code_format", sql`${t.code} ~ '^[0-9]{2}$'`)],
);

export const cabinetTypes = pgTable("cabinet_types", {
  code: text("code").primaryKey(),
  name: text("name").notNull().unique(),
  allowsEditorial: boolean("allows_editorial").notNull(),
  allowsWork: boolean("allows_work").notNull(),
});

export const spheres = pgTable("spheres", {
  code: text("code").primaryKey(),
  name: text("name").notNull().unique(),
  createdAt: createdAt(),
  /** A retired sphere stays on old records and is no longer offered. */
  retiredAt: timestamp("retired_at", { withTimezone: true }),
});

// People and organizations, as last read from ESIA.

export const persons = pgTable("persons", {
  oid: text("oid").primaryKey(),
  lastName: text("last_name").notNull(),
  firstName: text("first_name").notNull(),
  middleName: text("middle_name"),
  email: text("email"),
  mobile: text("mobile"),
  updatedAt: timestamp("updated_at", { withTimezone: true })
    .notNull()
    .defaultNow(),
});

export const organizations = pgTable(
  "organizations",
  {
    oid: text("oid").primaryKey(),
    ogrn: text("ogrn").notNull(),
    fullName: text("full_name").notNull(),
    shortName: text("short_name").notNull(),
    type: text("type").notNull(),
    isLiquidated: boolean("is_liquidated").notNull().default(false),
    updatedAt: timestamp("updated_at", { withTimezone: true })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    check(
      "organizations_ogrn_format",
      sql`${t.ogrn} ~ '^([0-9]{13}|[0-9]{15})$'`,
    ),
    check(
      "organizations_type",
      sql`${t.type} in ('LEGAL', 'BUSINESS', 'AGENCY')`,
    ),
    index("organizations_ogrn_idx").on(t.ogrn),
  ],
);

// Cabinets.

export const cabinets = pgTable(
  "cabinets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind").notNull(),
    organizationOid: text("organization_oid")
      .notNull()
      .references(() => organizations.oid),
    name: text("name").notNull(),
    regionCode: text("region_code")
      .notNull()
      .references(() => regions.code),
    typeCode: text("type_code")
      .notNull()
      .references(() => cabinetTypes.code),
    editorialCabinetId: uuid("editorial_cabinet_id"),
    email: text("email").notNull(),
    status: text("status").notNull().default("active"),
    applicationId: uuid("application_id"),
    createdAt: createdAt(),
  },
  (t) => [
    check("cabinets_kind", sql`${t.kind} in ('editorial', 'work')`),
    check("cabinets_status", sql`${t.status} in ('active', 'closed')`),
    check(
      "cabinets_editorial_binding",
      sql`(${t.kind} = 'work') = (${t.editorialCabinetId} is not null)`,
    ),
    check(
      "cabinets_editorial_type",
      sql`${t.kind} = 'work' or ${t.typeCode} in ('roiv', 'omsu')`,
    ),
    check(
      "cabinets_name_length",
      sql`char_length(${t.name}) between 3 and 200`,
    ),
    uniqueIndex("cabinets_one_active_per_organization_kind")
      .on(t.organizationOid, t.kind)
      .where(sql`${t.status} = 'active'`),
    index("cabinets_editorial_search_idx").on(
      t.kind,
      t.regionCode,
      t.typeCode,
      t.name,
    ),
    index("cabinets_editorial_cabinet_idx").on(t.editorialCabinetId),
  ],
);

export const cabinetSpheres = pgTable(
  "cabinet_spheres",
  {
    cabinetId: uuid("cabinet_id")
      .notNull()
      .references(() => cabinets.id),
    sphereCode: text("sphere_code")
      .notNull()
      .references(() => spheres.code),
  },
  (t) => [primaryKey({ columns: [t.cabinetId, t.sphereCode] })],
);

// Applications, their immutable revisions and decisions.

export const applications = pgTable(
  "applications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The reference number shown to the applicant, e.g. ГП-2026-000042. */
    reference: text("reference").notNull().unique(),
    kind: text("kind").notNull(),
    organizationOid: text("organization_oid")
      .notNull()
      .references(() => organizations.oid),
    applicantOid: text("applicant_oid")
      .notNull()
      .references(() => persons.oid),
    state: text("state").notNull(),
    /** Number of the current (latest) revision; the fields below copy it. */
    revision: integer("revision").notNull().default(1),
    name: text("name").notNull(),
    regionCode: text("region_code")
      .notNull()
      .references(() => regions.code),
    typeCode: text("type_code")
      .notNull()
      .references(() => cabinetTypes.code),
    editorialCabinetId: uuid("editorial_cabinet_id").references(
      () => cabinets.id,
    ),
    email: text("email").notNull(),
    ogrn: text("ogrn").notNull(),
    /** Set on approval: the cabinet the application created. */
    cabinetId: uuid("cabinet_id").references(() => cabinets.id),
    rejectionReason: text("rejection_reason"),
    idempotencyKey: uuid("idempotency_key").unique(),
    createdAt: createdAt(),
    /** When the current revision was submitted; the review queue sorts by it. */
    queuedAt: timestamp("queued_at", { withTimezone: true })
      .notNull()
      .defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    check("applications_kind", sql`${t.kind} in ('editorial', 'work')`),
    check(
      "applications_state",
      sql`${t.state} in ('submitted', 'approved', 'rejected', 'withdrawn')`,
    ),
    check(
      "applications_editorial_binding",
      sql`(${t.kind} = 'work') = (${t.editorialCabinetId} is not null)`,
    ),
    check(
      "applications_editorial_type",
      sql`${t.kind} = 'work' or ${t.typeCode} in ('roiv', 'omsu')`,
    ),
    check(
      "applications_approved_has_cabinet",
      sql`(${t.state} = 'approved') = (${t.cabinetId} is not null)`,
    ),
    check(
      "applications_rejected_has_reason",
      sql`${t.state} <> 'rejected' or ${t.rejectionReason} is not null`,
    ),
    check(
      "applications_name_length",
      sql`char_length(${t.name}) between 3 and 200`,
    ),
    check("applications_revision_positive", sql`${t.revision} >= 1`),
    uniqueIndex("applications_one_open_per_organization_kind")
      .on(t.organizationOid, t.kind)
      .where(sql`${t.state} in ('submitted', 'rejected')`),
    // Migration 0003_review_search_lower rebuilds the three queue indexes
    // with INCLUDE (name_lower, ogrn), which this builder cannot express.
    // `name_lower`, lower(name) generated for the queue's text search, and
    // its trigram indexes exist only in the migrations.
    index("applications_editorial_queue_idx").on(
      t.editorialCabinetId,
      t.state,
      t.queuedAt,
      t.id,
    ),
    index("applications_region_queue_idx").on(
      t.regionCode,
      t.state,
      t.queuedAt,
      t.id,
    ),
    index("applications_queue_idx").on(t.state, t.queuedAt, t.id),
    index("applications_applicant_idx").on(t.applicantOid),
  ],
);

export const applicationRevisions = pgTable(
  "application_revisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => applications.id),
    number: integer("number").notNull(),
    name: text("name").notNull(),
    regionCode: text("region_code")
      .notNull()
      .references(() => regions.code),
    typeCode: text("type_code")
      .notNull()
      .references(() => cabinetTypes.code),
    editorialCabinetId: uuid("editorial_cabinet_id").references(
      () => cabinets.id,
    ),
    email: text("email").notNull(),
    submittedBy: text("submitted_by")
      .notNull()
      .references(() => persons.oid),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("application_revisions_number").on(t.applicationId, t.number),
    check("application_revisions_number_positive", sql`${t.number} >= 1`),
  ],
);

export const revisionSpheres = pgTable(
  "revision_spheres",
  {
    revisionId: uuid("revision_id")
      .notNull()
      .references(() => applicationRevisions.id),
    sphereCode: text("sphere_code")
      .notNull()
      .references(() => spheres.code),
  },
  (t) => [primaryKey({ columns: [t.revisionId, t.sphereCode] })],
);

export const applicationDecisions = pgTable(
  "application_decisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => applications.id),
    revision: integer("revision").notNull(),
    decision: text("decision").notNull(),
    reason: text("reason"),
    decidedBy: text("decided_by")
      .notNull()
      .references(() => persons.oid),
    createdAt: createdAt(),
  },
  (t) => [
    check(
      "application_decisions_decision",
      sql`${t.decision} in ('approved', 'rejected')`,
    ),
    check(
      "application_decisions_reason",
      sql`${t.decision} <> 'rejected' or (${t.reason} is not null and char_length(${t.reason}) between 1 and 2000)`,
    ),
    // At most one decision per revision: of two concurrent decisions the second fails here.
    uniqueIndex("application_decisions_one_per_revision").on(
      t.applicationId,
      t.revision,
    ),
  ],
);

// Audit, mail and sessions.

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    occurredAt: timestamp("occurred_at", { withTimezone: true })
      .notNull()
      .defaultNow(),
    actorOid: text("actor_oid"),
    action: text("action").notNull(),
    applicationId: uuid("application_id").references(() => applications.id),
    cabinetId: uuid("cabinet_id").references(() => cabinets.id),
    revision: integer("revision"),
    fromState: text("from_state"),
    toState: text("to_state"),
    details: jsonb("details").$type<Record<string, unknown>>(),
  },
  (t) => [
    index("audit_events_application_idx").on(t.applicationId, t.id),
    index("audit_events_cabinet_idx").on(t.cabinetId, t.id),
  ],
);

export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    createdAt: createdAt(),
    /** What the message is about, e.g. `application_submitted`. */
    template: text("template").notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    applicationId: uuid("application_id").references(() => applications.id),
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true })
      .notNull()
      .defaultNow(),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    lastError: text("last_error"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    messageId: text("message_id"),
  },
  (t) => [
    check(
      "mail_outbox_status",
      sql`${t.status} in ('pending', 'sent', 'failed')`,
    ),
    index("mail_outbox_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);

/** Messages received by the embedded mail catcher. */
export const caughtMail = pgTable("caught_mail", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  receivedAt: timestamp("received_at", { withTimezone: true })
    .notNull()
    .defaultNow(),
  envelopeFrom: text("envelope_from"),
  envelopeTo: text("envelope_to").array().notNull(),
  subject: text("subject"),
  raw: text("raw").notNull(),
});

export const sessions = pgTable(
  "sessions",
  {
    /** SHA-256 of the cookie token, hex; the raw token is never stored. */
    id: text("id").primaryKey(),
    personOid: text("person_oid").notNull(),
    profile: jsonb("profile").notNull(),
    csrfToken: text("csrf_token").notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true })
      .notNull()
      .defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("sessions_expires_idx").on(t.expiresAt)],
);

/**
 * Cabinet names in use under one editorial cabinet (or, for editorial
 * cabinets, in one region), so that the database itself keeps names unique
 * across active cabinets and open applications. `scope` is
 * `editorial:<cabinet id>` or `region:<code>`; `nameKey` is the lower-cased
 * normalized name.
 */
export const nameClaims = pgTable(
  "name_claims",
  {
    scope: text("scope").notNull(),
    nameKey: text("name_key").notNull(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => applications.id),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.nameKey] }),
    uniqueIndex("name_claims_application").on(t.applicationId),
  ],
);
