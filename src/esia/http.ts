import type { z } from "zod";
import { EsiaError, extractEsiaCode } from "./errors.js";
import { restErrorSchema, tokenErrorSchema } from "./protocol.js";

/**
 * HTTP calls to ESIA. Every failure is thrown as an `EsiaError`: network
 * errors and 5xx as `unavailable`, bodies that are not JSON as
 * `malformed_response`, ESIA's error bodies with their `ESIA-…` code.
 */
export interface EsiaHttp {
  /** POSTs a form to a token endpoint; returns the JSON of a 2xx response. */
  postToken(
    path: string,
    form: URLSearchParams,
    grantType: string,
  ): Promise<unknown>;
  /** GETs a REST resource with the bearer token; returns its JSON. */
  getJson(path: string, accessToken: string): Promise<unknown>;
}

export function createEsiaHttp(baseUrl: string, timeoutMs: number): EsiaHttp {
  async function send(path: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        ...init,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason =
        error instanceof Error && error.name === "TimeoutError"
          ? `timed out after ${timeoutMs} ms`
          : String(error);
      throw new EsiaError(
        "unavailable",
        `ESIA ${stripQuery(path)} failed: ${reason}`,
        {
          cause: error,
        },
      );
    }
    if (response.status >= 500) {
      throw new EsiaError(
        "unavailable",
        `ESIA ${stripQuery(path)} returned ${response.status}`,
        {
          status: response.status,
        },
      );
    }
    return response;
  }

  return {
    async postToken(path, form, grantType) {
      const response = await send(path, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: form,
      });
      const json = await readJson(response, path);
      if (response.ok) return json;

      const error = tokenErrorSchema.safeParse(json);
      const description = error.success
        ? `${error.data.error}: ${error.data.error_description ?? ""}`
        : JSON.stringify(json).slice(0, 300);
      throw new EsiaError(
        "token_request_failed",
        `ESIA ${path} rejected the ${grantType} request: ${description}`,
        {
          status: response.status,
          esiaCode: error.success
            ? extractEsiaCode(error.data.error_description)
            : undefined,
        },
      );
    },

    async getJson(path, accessToken) {
      const response = await send(path, {
        headers: {
          authorization: `Bearer ${accessToken}`,
          accept: "application/json",
        },
      });
      const json = await readJson(response, path);
      if (response.ok) return json;

      const error = restErrorSchema.safeParse(json);
      const esiaCode = error.success ? error.data.code : undefined;
      const detail = error.success
        ? `${error.data.code} ${error.data.message ?? ""}`
        : JSON.stringify(json).slice(0, 300);
      throw new EsiaError(
        esiaCode === "ESIA-005013" ? "token_expired" : "rest_request_failed",
        `ESIA ${stripQuery(path)} returned ${response.status}: ${detail}`,
        { status: response.status, esiaCode },
      );
    },
  };
}

/** Checks a response against its schema; a mismatch is `malformed_response`. */
export function parseResponse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  path: string,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new EsiaError(
    "malformed_response",
    `ESIA ${stripQuery(path)} returned unexpected JSON at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
  );
}

async function readJson(response: Response, path: string): Promise<unknown> {
  const text = await response.text().catch(() => "");
  try {
    return JSON.parse(text);
  } catch {
    throw new EsiaError(
      "malformed_response",
      `ESIA ${stripQuery(path)} returned ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
      { status: response.status },
    );
  }
}

function stripQuery(path: string): string {
  return path.split("?")[0]!;
}
