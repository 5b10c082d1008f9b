import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { CabinetKind, CabinetType } from "../../domain/cabinets";
import type { ApplicationState } from "../../domain/states";
import { apiGet } from "./client";

export interface Problem {
  code: string;
  message: string;
}

export type KindNext = "cabinet" | "application" | "form" | "unavailable";

export interface KindStatus {
  eligible: boolean;
  problems: Problem[];
  cabinet: { id: string; name: string; canEnter: boolean } | null;
  application: {
    id: string;
    reference: string;
    state: ApplicationState;
    revision: number;
  } | null;
  next: KindNext;
}

export interface OrganizationChoice {
  oid: string;
  ogrn: string;
  fullName: string;
  shortName: string;
  type: "LEGAL" | "BUSINESS" | "AGENCY";
  available: boolean;
  kinds: Record<CabinetKind, KindStatus>;
}

export interface OwnEditorialCabinet {
  id: string;
  name: string;
  regionCode: string;
  typeCode: string;
  spheres: string[];
}

export interface KindContext {
  organization: Omit<OrganizationChoice, "available" | "kinds">;
  kind: CabinetKind;
  status: KindStatus;
  ownEditorialCabinet: OwnEditorialCabinet | null;
  defaultEmail: string | null;
}

export interface Dictionaries {
  regions: { code: string; name: string }[];
  cabinetTypes: {
    code: CabinetType;
    name: string;
    kinds: CabinetKind[];
    editorialRule: "own" | "roiv" | "omsu";
  }[];
  spheres: { code: string; name: string }[];
}

export interface ApplicationDetail {
  id: string;
  reference: string;
  kind: CabinetKind;
  state: ApplicationState;
  revision: number;
  name: string;
  region: string;
  type: CabinetType;
  editorialCabinet: { id: string; name: string } | null;
  spheres: string[];
  email: string;
  organization: {
    oid: string;
    ogrn: string;
    fullName: string;
    shortName: string;
  };
  rejectionReason: string | null;
  cabinetId: string | null;
  createdAt: string;
  queuedAt: string;
  updatedAt: string;
  submittedByYou: boolean;
  actions: { resubmit: boolean; withdraw: boolean };
  problems: Problem[];
  ownEditorialCabinet: OwnEditorialCabinet | null;
}

export interface EditorialCabinetOption {
  id: string;
  name: string;
  regionCode: string;
  typeCode: string;
  organizationShortName: string;
}

export interface EditorialSearchResult {
  rule: "own" | "roiv" | "omsu";
  items: EditorialCabinetOption[];
  hasMore: boolean;
}

export const applicantKeys = {
  organizations: ["organizations"] as const,
  kind: (oid: string, kind: string) => ["organizations", oid, kind] as const,
  dictionaries: ["dictionaries"] as const,
  application: (id: string) => ["applications", id] as const,
};

export function useOrganizations() {
  return useQuery({
    queryKey: applicantKeys.organizations,
    queryFn: () =>
      apiGet<{ organizations: OrganizationChoice[] }>("/api/organizations"),
  });
}

export function useKindContext(organizationOid: string, kind: CabinetKind) {
  return useQuery({
    queryKey: applicantKeys.kind(organizationOid, kind),
    queryFn: () =>
      apiGet<KindContext>(
        `/api/organizations/${encodeURIComponent(organizationOid)}/kinds/${kind}`,
      ),
  });
}

export function useDictionaries() {
  return useQuery({
    queryKey: applicantKeys.dictionaries,
    queryFn: () => apiGet<Dictionaries>("/api/dictionaries"),
    staleTime: 10 * 60_000,
  });
}

export function useApplication(id: string) {
  return useQuery({
    queryKey: applicantKeys.application(id),
    queryFn: () =>
      apiGet<ApplicationDetail>(`/api/applications/${encodeURIComponent(id)}`),
  });
}

export const EDITORIAL_PAGE_SIZE = 20;

/** Searches the editorial cabinets that fit; disabled until region and type are chosen. */
export function useEditorialSearch(params: {
  organizationOid: string;
  region: string;
  type: string;
  text: string;
  enabled: boolean;
}) {
  const query = new URLSearchParams({
    organizationOid: params.organizationOid,
    region: params.region,
    type: params.type,
    q: params.text,
    limit: String(EDITORIAL_PAGE_SIZE),
  });
  return useQuery({
    queryKey: ["editorial-cabinets", query.toString()],
    queryFn: () =>
      apiGet<EditorialSearchResult>(`/api/editorial-cabinets?${query}`),
    enabled: params.enabled,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}
