import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { apiGet, apiPost, ApiError, setCsrfToken } from "./client";

export interface SessionPerson {
  oid: string;
  lastName: string;
  firstName: string;
  middleName: string | null;
  email: string | null;
  mobile: string | null;
}

export interface SessionInfo {
  person: SessionPerson;
  csrfToken: string;
  expiresAt: string;
}

export const SESSION_KEY = ["session"] as const;

/**
 * The signed-in person, or null when there is no session. Stores the CSRF
 * token for the API client.
 */
export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async (): Promise<SessionInfo | null> => {
      try {
        const session = await apiGet<SessionInfo>("/api/session");
        setCsrfToken(session.csrfToken);
        return session;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          setCsrfToken(undefined);
          return null;
        }
        throw error;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

/**
 * Signs out of the product and ESIA, then opens the sign-in page. The server
 * responds with ESIA's logout address, which redirects back to `/signin`.
 */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useCallback(async () => {
    let target = "/signin?app_name=ku";
    try {
      const result = await apiPost<{ redirectTo?: string }>("/auth/signout");
      if (result?.redirectTo) target = result.redirectTo;
    } catch {
      // NOTE: when sign-out fails (the session had already ended), the
      // sign-in page is still the right place to go.
    }
    setCsrfToken(undefined);
    queryClient.clear();
    window.location.assign(target);
  }, [queryClient]);
}

/** The person's full name as ESIA gives it: «Фамилия Имя Отчество». */
export function personName(person: SessionPerson): string {
  return [person.lastName, person.firstName, person.middleName]
    .filter(Boolean)
    .join(" ");
}
