import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SimulatorContext } from "./context.js";
import {
  employmentKey,
  type FixtureOrganization,
  type FixturePerson,
} from "./fixture.js";
import {
  parseScope,
  REST_ERRORS,
  splitScope,
  type RestErrorName,
} from "./protocol.js";
import {
  collection,
  contacts,
  eTag,
  groupBody,
  organizationBody,
  organizationsOf,
  parseEmbed,
  type Embed,
} from "./rest-resources.js";
import { verifyOwnToken } from "./tokens.js";

/** Scopes of a verified bearer token. */
interface Grant {
  /** Person scopes by person oid. */
  personScopes: Map<number, Set<string>>;
  /** Organization scopes by organization oid. */
  organizationScopes: Map<number, Set<string>>;
}

class RestFailure extends Error {
  constructor(readonly kind: RestErrorName) {
    super(REST_ERRORS[kind].message);
  }
}

/**
 * Registers the REST API under `/rs`: persons, contacts, roles, organizations and
 * access groups, in ESIA's collection format (`stateFacts`, `size`,
 * `eTag`, `elements`), with element links unless `embed` requests objects.
 */
export async function restRoutes(
  app: FastifyInstance,
  { context }: { context: SimulatorContext },
): Promise<void> {
  const route = (
    path: string,
    handler: (
      request: FastifyRequest,
      grant: Grant,
      params: Record<string, string>,
      embed: Embed,
    ) => unknown,
  ) =>
    app.get(path, async (request, reply) => {
      try {
        const grant = await authenticate(context, request);
        const params = request.params as Record<string, string>;
        const embed = parseEmbed(
          (request.query as Record<string, unknown>).embed,
        );
        return reply.send(handler(request, grant, params, embed));
      } catch (error) {
        if (!(error instanceof RestFailure)) throw error;
        return sendRestError(reply, error.kind);
      }
    });

  route("/rs/prns/:oid", (_request, grant, params, embed) => {
    const person = personFor(context, grant, params.oid!, ["fullname"]);
    const scopes = grant.personScopes.get(person.oid)!;
    const body: Record<string, unknown> = {
      stateFacts: ["EntityRoot"],
      firstName: person.firstName,
      lastName: person.lastName,
      ...(person.middleName ? { middleName: person.middleName } : {}),
      trusted: person.trusted,
      citizenship: "RUS",
      status: "REGISTERED",
      verifying: false,
      containsUpCfmCode: false,
      updatedOn: 1_700_000_000,
      ...(scopes.has("snils") ? { snils: person.snils } : {}),
    };
    if (embed.has("contacts.elements") && hasAny(scopes, CONTACT_SCOPES)) {
      body.contacts = collection(
        contacts(context, person, scopes),
        true,
        (c) => c.link,
      );
    }
    if (embed.has("organizations.elements") && scopes.has("usr_org")) {
      body.organizations = collection(
        organizationsOf(context, person).map(organizationBody),
        true,
      );
    }
    body.eTag = eTag(body);
    return body;
  });

  route("/rs/prns/:oid/ctts", (_request, grant, params, embed) => {
    const person = personFor(context, grant, params.oid!, CONTACT_SCOPES);
    const items = contacts(
      context,
      person,
      grant.personScopes.get(person.oid)!,
    );
    return collection(items, embed.has("elements"), (item) => item.link);
  });

  route("/rs/prns/:oid/ctts/:id", (_request, grant, params) => {
    const person = personFor(context, grant, params.oid!, CONTACT_SCOPES);
    const item = contacts(
      context,
      person,
      grant.personScopes.get(person.oid)!,
    ).find((contact) => String(contact.id) === params.id);
    if (!item) throw new RestFailure("notFound");
    return item;
  });

  route("/rs/prns/:oid/roles", (_request, grant, params) => {
    const person = personFor(context, grant, params.oid!, ["usr_org"]);
    // ESIA returns the roles inline whether or not `embed` is given.
    return collection(
      organizationsOf(context, person).map(({ organization, employment }) => ({
        oid: organization.oid,
        prnOid: person.oid,
        fullName: organization.fullName,
        shortName: organization.shortName,
        ogrn: organization.ogrn,
        type: organization.type,
        chief: employment.chief,
        admin: employment.admin,
        active: employment.active,
        hasRightOfSubstitution: employment.chief,
        hasApprovalTabAccess: false,
        isLiquidated: organization.isLiquidated,
      })),
      true,
    );
  });

  route("/rs/prns/:oid/orgs", (_request, grant, params, embed) => {
    const person = personFor(context, grant, params.oid!, ["usr_org"]);
    return collection(
      organizationsOf(context, person).map(organizationBody),
      embed.has("elements"),
      (org) => `${context.publicUrl}/rs/orgs/${org.oid}`,
    );
  });

  route("/rs/orgs/:org", (_request, grant, params) => {
    const organization = organizationFor(context, grant, params.org!, null);
    const scopes = grant.organizationScopes.get(organization.oid)!;
    const body: Record<string, unknown> = {
      stateFacts: ["Identifiable"],
      oid: organization.oid,
      ogrn: organization.ogrn,
      inn: organization.inn,
      leg: "",
      isLiquidated: organization.isLiquidated,
      ...(scopes.has("org_shortname")
        ? { shortName: organization.shortName }
        : {}),
      ...(scopes.has("org_fullname")
        ? { fullName: organization.fullName }
        : {}),
      ...(scopes.has("org_type") ? { type: organization.type } : {}),
    };
    body.eTag = eTag(body);
    return body;
  });

  route("/rs/orgs/:org/emps/:oid/grps", (_request, grant, params, embed) => {
    const organization = organizationFor(
      context,
      grant,
      params.org!,
      GROUP_SCOPES,
    );
    const employment = context.directory.employments.get(
      employmentKey(Number(params.oid), organization.oid),
    );
    if (!employment) throw new RestFailure("notFound");
    return collection(
      employment.groups.map(groupBody),
      embed.has("elements"),
      (group) =>
        `${context.publicUrl}/rs/orgs/${organization.oid}/grps/${group.grp_id}`,
    );
  });

  route("/rs/orgs/:org/grps/:grp", (_request, grant, params) => {
    const organization = organizationFor(
      context,
      grant,
      params.org!,
      GROUP_SCOPES,
    );
    for (const employment of context.directory.employments.values()) {
      if (employment.orgOid !== organization.oid) continue;
      const group = employment.groups.find((item) => item.grpId === params.grp);
      if (group) return groupBody(group);
    }
    throw new RestFailure("notFound");
  });
}

const CONTACT_SCOPES = ["email", "mobile", "contacts"];
/** Either scope opens an employee's groups: which one real ESIA wants is not confirmed. */
const GROUP_SCOPES = ["org_emps", "org_grps"];

async function authenticate(
  context: SimulatorContext,
  request: FastifyRequest,
): Promise<Grant> {
  const header = request.headers.authorization ?? "";
  const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header);
  if (!match) throw new RestFailure("invalidToken");
  const checked = await verifyOwnToken(
    context.keys,
    match[1]!,
    "access",
    context.now(),
  );
  if (!checked.valid)
    throw new RestFailure(checked.expired ? "expiredToken" : "invalidToken");
  if (context.revokedSids.has(String(checked.payload["urn:esia:sid"]))) {
    throw new RestFailure("invalidToken");
  }
  const grant: Grant = {
    personScopes: new Map(),
    organizationScopes: new Map(),
  };
  const subject = checked.payload["urn:esia:sbj_id"];
  for (const item of splitScope(String(checked.payload.scope ?? ""))) {
    const personMatch = /^([a-z_]+)\?oid=(\d+)$/.exec(item);
    if (personMatch) {
      addTo(grant.personScopes, Number(personMatch[2]), personMatch[1]!);
      continue;
    }
    if (item === "openid" && typeof subject === "number") {
      addTo(grant.personScopes, subject, "openid");
      continue;
    }
    const parsed = parseScope(item);
    if (parsed?.kind === "organization") {
      addTo(grant.organizationScopes, parsed.scope.orgOid, parsed.scope.name);
    }
  }
  return grant;
}

function addTo(
  map: Map<number, Set<string>>,
  key: number,
  value: string,
): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}

function hasAny(scopes: Set<string> | undefined, names: string[]): boolean {
  return names.some((name) => scopes?.has(name));
}

function personFor(
  context: SimulatorContext,
  grant: Grant,
  oid: string,
  scopes: string[],
): FixturePerson {
  const personOid = Number(oid);
  if (!hasAny(grant.personScopes.get(personOid), scopes))
    throw new RestFailure("scopeNotAllowed");
  const person = context.directory.persons.get(personOid);
  if (!person) throw new RestFailure("notFound");
  return person;
}

/** `scopes` null means any organization scope for that organization will do. */
function organizationFor(
  context: SimulatorContext,
  grant: Grant,
  oid: string,
  scopes: string[] | null,
): FixtureOrganization {
  const orgOid = Number(oid);
  const granted = grant.organizationScopes.get(orgOid);
  if (!granted || (scopes && !hasAny(granted, scopes)))
    throw new RestFailure("scopeNotAllowed");
  const organization = context.directory.organizations.get(orgOid);
  if (!organization) throw new RestFailure("notFound");
  return organization;
}

function sendRestError(reply: FastifyReply, kind: RestErrorName): FastifyReply {
  const { status, code, message } = REST_ERRORS[kind];
  return reply.code(status).send({ code, message });
}
