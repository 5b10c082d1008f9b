import {
  keepPreviousData,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import type { CabinetKind } from "../../../domain/cabinets";
import type { ApplicationState } from "../../../domain/states";
import { apiGet, apiPost } from "../../api/client";

export interface NamedCode {
  code: string;
  name: string;
}

export interface PersonSummary {
  oid: string;
  name: string;
}

export interface ReviewAccess {
  operatorRegions: "all" | string[] | null;
  editorialCabinets: { id: string; name: string; regionName: string }[];
}

export interface QueueItem {
  id: string;
  reference: string;
  kind: CabinetKind;
  state: ApplicationState;
  revision: number;
  name: string;
  ogrn: string;
  organizationName: string;
  regionCode: string;
  regionName: string;
  typeCode: string;
  typeName: string;
  editorialCabinetId: string | null;
  editorialCabinetName: string | null;
  applicantName: string;
  queuedAt: string;
  createdAt: string;
}

export interface StateCount {
  state: ApplicationState;
  count: number;
  capped: boolean;
}

export interface QueuePage {
  items: QueueItem[];
  nextCursor: string | null;
  counts: StateCount[];
}

/** Filters of the queue, as they appear in the page's address. */
export interface QueueFilters {
  status: ApplicationState | "all";
  region: string;
  type: string;
  q: string;
  editorialCabinetId?: string;
}

export interface AuditEvent {
  id: number;
  action: string;
  occurredAt: string;
  actor: PersonSummary | null;
  revision: number | null;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
}

export interface RevisionFields {
  name: string;
  region: NamedCode;
  type: NamedCode;
  editorialCabinet: { id: string; name: string } | null;
  spheres: NamedCode[];
  email: string;
}

export interface ReviewDetail {
  application: {
    id: string;
    reference: string;
    kind: CabinetKind;
    state: ApplicationState;
    revision: number;
    rejectionReason: string | null;
    cabinetId: string | null;
    createdAt: string;
    queuedAt: string;
  };
  organization: {
    oid: string;
    fullName: string;
    shortName: string;
    ogrn: string;
  };
  applicant: {
    oid: string;
    lastName: string;
    firstName: string;
    middleName: string | null;
    email: string | null;
    mobile: string | null;
  };
  revisions: {
    number: number;
    submittedAt: string;
    submittedBy: PersonSummary;
    fields: RevisionFields;
    changes: { field: string; label: string; before: string; after: string }[];
  }[];
  decisions: {
    revision: number;
    decision: "approved" | "rejected";
    reason: string | null;
    decidedBy: PersonSummary;
    decidedAt: string;
  }[];
  history: AuditEvent[];
  canDecide: boolean;
  cannotDecideReason: string | null;
}

export type DecisionInput =
  | { decision: "approve"; revision: number }
  | { decision: "reject"; revision: number; reason: string };

export const reviewKeys = {
  access: ["review", "access"] as const,
  queue: (query: string) => ["review", "queue", query] as const,
  application: (id: string) => ["review", "applications", id] as const,
};

/** Fetches what the person may review; `enabled: false` skips the request when there is no session. */
export function useReviewAccess(enabled = true) {
  return useQuery({
    queryKey: reviewKeys.access,
    queryFn: () => apiGet<ReviewAccess>("/api/review/access"),
    staleTime: 60_000,
    enabled,
  });
}

export const QUEUE_PAGE_SIZE = 25;

/** Fetches one page of the queue; `cursor` is the previous page's `nextCursor`. */
export function useReviewQueue(filters: QueueFilters, cursor: string | null) {
  const query = new URLSearchParams({
    status: filters.status,
    limit: String(QUEUE_PAGE_SIZE),
  });
  if (filters.region) query.set("region", filters.region);
  if (filters.type) query.set("type", filters.type);
  if (filters.q) query.set("q", filters.q);
  if (filters.editorialCabinetId) {
    query.set("editorialCabinetId", filters.editorialCabinetId);
  }
  if (cursor) query.set("cursor", cursor);
  return useQuery({
    queryKey: reviewKeys.queue(query.toString()),
    queryFn: () => apiGet<QueuePage>(`/api/review/queue?${query}`),
    placeholderData: keepPreviousData,
  });
}

export function useReviewApplication(id: string) {
  return useQuery({
    queryKey: reviewKeys.application(id),
    queryFn: () =>
      apiGet<ReviewDetail>(
        `/api/review/applications/${encodeURIComponent(id)}`,
      ),
  });
}

/** Approves or rejects; on success stores the new detail and refreshes the queues. */
export function useDecision(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: DecisionInput) =>
      input.decision === "approve"
        ? apiPost<ReviewDetail>(`/api/review/applications/${id}/approve`, {
            revision: input.revision,
          })
        : apiPost<ReviewDetail>(`/api/review/applications/${id}/reject`, {
            revision: input.revision,
            reason: input.reason,
          }),
    onSuccess: async (detail) => {
      queryClient.setQueryData(reviewKeys.application(id), detail);
      await queryClient.invalidateQueries({ queryKey: ["review", "queue"] });
    },
  });
}
