import { describe, expect, it } from "vitest";
import { translateDatabaseError } from "../../src/server/database-errors.js";

describe("translateDatabaseError", () => {
  it.each(["22021", "22P05"])(
    "answers 422 for a character text cannot hold (%s)",
    (code) => {
      // Drizzle wraps the PostgreSQL error; the code sits on the cause.
      const error = translateDatabaseError(
        Object.assign(new Error("Failed query"), {
          cause: Object.assign(new Error("invalid byte sequence"), { code }),
        }),
      );
      expect(error?.statusCode).toBe(422);
      expect(error?.message).toContain("нулевой байт");
    },
  );
});
