/** Error fields that name what failed without quoting the data. */
const SAFE_FIELDS = [
  "code",
  "severity",
  "constraint",
  "table",
  "column",
  "routine",
  "errno",
  "syscall",
  "responseCode",
  "statusCode",
] as const;

/**
 * Serializes an error for the logs without the values it was given. Drizzle's
 * DrizzleQueryError puts every query parameter (names, e-mail addresses, mail
 * bodies) into its message and stack, and PostgreSQL's `detail` quotes the
 * conflicting values. This keeps the SQL text, the stack frames, the codes
 * and the cause chain, and leaves out the parameters and `detail`.
 */
export interface SerializedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
}

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (typeof error !== "object" || error === null) {
    return { type: typeof error, message: String(error), stack: "" };
  }
  const source = error as Record<string, unknown> & {
    name?: unknown;
    message?: unknown;
    stack?: unknown;
    query?: unknown;
    params?: unknown;
    cause?: unknown;
  };
  const isQueryError =
    typeof source.query === "string" && Array.isArray(source.params);
  // The stack starts with the message, which for a query error contains the parameters.
  const frames =
    typeof source.stack === "string"
      ? source.stack
          .split("\n")
          .filter((line) => line.trimStart().startsWith("at "))
          .join("\n")
      : "";
  const result: SerializedError = {
    type: typeof source.name === "string" ? source.name : "Error",
    message: isQueryError
      ? `Failed query: ${source.query as string}`
      : String(source.message ?? ""),
    stack: frames,
  };
  for (const field of SAFE_FIELDS) {
    if (source[field] === undefined) continue;
    // Logged as errorCode: the loggers redact every `code`, which on other
    // objects can be an ESIA authorization code.
    result[field === "code" ? "errorCode" : field] = source[field];
  }
  if (source.cause !== undefined && depth < 3) {
    result.cause = serializeError(source.cause, depth + 1);
  }
  return result;
}
