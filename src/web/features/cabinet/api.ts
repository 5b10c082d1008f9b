import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { CabinetKind } from "../../../domain/cabinets";
import { apiGet } from "../../api/client";
import type { AuditEvent, NamedCode } from "../review/api";

export interface CabinetDetail {
  id: string;
  kind: CabinetKind;
  name: string;
  status: "active" | "closed";
  organization: {
    oid: string;
    fullName: string;
    shortName: string;
    ogrn: string;
  };
  region: NamedCode;
  type: NamedCode;
  /** `visible`: the person may open the editorial cabinet's page. */
  editorialCabinet: { id: string; name: string; visible: boolean } | null;
  spheres: NamedCode[];
  email: string;
  createdAt: string;
  application: { id: string; reference: string } | null;
  history: AuditEvent[];
  canReview: boolean;
}

export interface BoundCabinet {
  id: string;
  name: string;
  status: "active" | "closed";
  organizationName: string;
  ogrn: string;
  typeName: string;
  createdAt: string;
}

export const cabinetKeys = {
  cabinet: (id: string) => ["cabinets", id] as const,
  bound: (id: string) => ["cabinets", id, "work-cabinets"] as const,
};

export function useCabinet(id: string) {
  return useQuery({
    queryKey: cabinetKeys.cabinet(id),
    queryFn: () =>
      apiGet<CabinetDetail>(`/api/cabinets/${encodeURIComponent(id)}`),
  });
}

const BOUND_PAGE_SIZE = 50;

/** Fetches the work cabinets bound to an editorial cabinet, a page at a time. */
export function useBoundCabinets(id: string, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: cabinetKeys.bound(id),
    enabled,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams({ limit: String(BOUND_PAGE_SIZE) });
      if (pageParam) query.set("cursor", pageParam);
      return apiGet<{ items: BoundCabinet[]; nextCursor: string | null }>(
        `/api/cabinets/${encodeURIComponent(id)}/work-cabinets?${query}`,
      );
    },
    getNextPageParam: (page) => page.nextCursor,
  });
}
