import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { apiGet } from "../../api/client";

export interface CaughtMailSummary {
  id: number;
  receivedAt: string;
  from: string | null;
  to: string[];
  subject: string | null;
}

export interface CaughtMail extends CaughtMailSummary {
  headerFrom: string | null;
  headerTo: string | null;
  messageId: string | null;
  text: string;
}

const PAGE_SIZE = 50;

/** Fetches the caught messages, newest first, again every 5 s while the page is open. */
export function useCaughtMail() {
  return useInfiniteQuery({
    queryKey: ["mail"],
    initialPageParam: null as number | null,
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (pageParam) query.set("before", String(pageParam));
      return apiGet<{ items: CaughtMailSummary[]; nextBefore: number | null }>(
        `/api/mail?${query}`,
      );
    },
    getNextPageParam: (page) => page.nextBefore,
    refetchInterval: 5000,
  });
}

export function useCaughtMessage(id: string) {
  return useQuery({
    queryKey: ["mail", id],
    queryFn: () => apiGet<CaughtMail>(`/api/mail/${encodeURIComponent(id)}`),
  });
}
