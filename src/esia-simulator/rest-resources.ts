import { createHash } from "node:crypto";
import type { SimulatorContext } from "./context.js";
import type {
  FixtureGroup,
  FixtureOrganization,
  FixturePerson,
} from "./fixture.js";

// Bodies of the REST resources, shaped as ESIA returns them.

/** The `embed` parameter's items, e.g. `elements` or `contacts.elements`. */
export type Embed = Set<string>;

export interface Contact {
  stateFacts: string[];
  id: number;
  type: "EML" | "MBT";
  vrfStu: "VERIFIED";
  value: string;
  eTag: string;
  link: string;
}

export function contacts(
  context: SimulatorContext,
  person: FixturePerson,
  scopes: Set<string>,
): Contact[] {
  const all = scopes.has("contacts");
  const items: Array<Omit<Contact, "eTag" | "link">> = [];
  // Stable ids derived from the person oid, so links survive a restart.
  const base = person.oid * 10;
  if (person.email && (all || scopes.has("email"))) {
    items.push({
      stateFacts: ["Identifiable"],
      id: base + 1,
      type: "EML",
      vrfStu: "VERIFIED",
      value: person.email,
    });
  }
  if (person.mobile && (all || scopes.has("mobile"))) {
    items.push({
      stateFacts: ["Identifiable"],
      id: base + 2,
      type: "MBT",
      vrfStu: "VERIFIED",
      value: person.mobile,
    });
  }
  return items.map((item) => ({
    ...item,
    eTag: eTag(item),
    link: `${context.publicUrl}/rs/prns/${person.oid}/ctts/${item.id}`,
  }));
}

export function organizationsOf(
  context: SimulatorContext,
  person: FixturePerson,
) {
  return [...context.directory.employments.values()]
    .filter((employment) => employment.personOid === person.oid)
    .map((employment) => ({
      employment,
      organization: context.directory.organizations.get(employment.orgOid)!,
    }));
}

export function organizationBody({
  organization,
}: {
  organization: FixtureOrganization;
}) {
  const body = {
    stateFacts: ["Identifiable"],
    oid: organization.oid,
    ogrn: organization.ogrn,
    inn: organization.inn,
    shortName: organization.shortName,
    fullName: organization.fullName,
    type: organization.type,
    isLiquidated: organization.isLiquidated,
  };
  return { ...body, eTag: eTag(body) };
}

export function groupBody(group: FixtureGroup) {
  const body = {
    stateFacts: ["Identifiable"],
    grp_id: group.grpId,
    name: group.name,
    description: group.name,
    system: false,
    requireSignature: false,
  };
  return { ...body, eTag: eTag(body) };
}

/** ESIA's collection: inline objects when embedded, otherwise links to them. */
export function collection<T extends object>(
  items: T[],
  embedded: boolean,
  link?: (item: T) => string,
) {
  const elements =
    embedded || !link ? items.map((item) => stripLink(item)) : items.map(link);
  return {
    stateFacts: ["hasSize"],
    size: elements.length,
    eTag: eTag(elements),
    elements,
  };
}

function stripLink<T extends object>(item: T): Omit<T, "link"> {
  const { link: _link, ...rest } = item as T & { link?: string };
  return rest;
}

export function eTag(value: unknown): string {
  return createHash("sha1")
    .update(JSON.stringify(value))
    .digest("hex")
    .toUpperCase();
}

export function parseEmbed(value: unknown): Embed {
  if (typeof value !== "string") return new Set();
  const inner = value.replace(/^\(/, "").replace(/\)$/, "");
  return new Set(
    inner
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean),
  );
}
