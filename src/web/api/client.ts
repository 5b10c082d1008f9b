/** A field-level problem of the API's error format. */
export interface ApiProblem {
  path: string;
  message: string;
}

/** The API's error format: `{ requestId, statusCode, error, message, details }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The stable error code, e.g. `validation_failed` or `name_taken`. */
    readonly code: string,
    message: string,
    readonly details: ApiProblem[] = [],
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let csrfToken: string | undefined;

/** Remembers the session's CSRF token; `GET /api/session` provides it. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const NETWORK_MESSAGE =
  "Сервис не отвечает: проверьте подключение к интернету и повторите попытку.";

/**
 * Calls the JSON API. Unsafe methods send the CSRF token in `x-csrf-token`.
 * Throws ApiError with the server's message, or with a network message when
 * the server could not be reached.
 */
export async function apiRequest<T>(
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET") {
    headers["content-type"] = "application/json";
    if (csrfToken) headers["x-csrf-token"] = csrfToken;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: method === "GET" ? undefined : JSON.stringify(body ?? {}),
    });
  } catch {
    throw new ApiError(0, "network_error", NETWORK_MESSAGE);
  }
  const text = await response.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // A proxy's HTML error page: the status alone describes the failure.
  }
  if (!response.ok) {
    const error = (data ?? {}) as Partial<{
      error: string;
      message: string;
      details: ApiProblem[];
      requestId: string;
    }>;
    throw new ApiError(
      response.status,
      error.error ?? "http_error",
      error.message ??
        `Сервис ответил ошибкой ${response.status}. Повторите попытку позже.`,
      Array.isArray(error.details) ? error.details : [],
      error.requestId,
    );
  }
  return data as T;
}

export const apiGet = <T>(path: string) => apiRequest<T>("GET", path);
export const apiPost = <T>(path: string, body?: unknown) =>
  apiRequest<T>("POST", path, body);
