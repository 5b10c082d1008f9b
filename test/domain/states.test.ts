import { describe, expect, it } from "vitest";
import {
  APPLICATION_ACTIONS,
  APPLICATION_STATES,
  canTransition,
  nextState,
  TransitionError,
  type ApplicationAction,
  type ApplicationState,
} from "../../src/domain/states.js";

const ALLOWED: [ApplicationState, ApplicationAction, ApplicationState][] = [
  ["submitted", "approve", "approved"],
  ["submitted", "reject", "rejected"],
  ["submitted", "withdraw", "withdrawn"],
  ["rejected", "resubmit", "submitted"],
  ["rejected", "withdraw", "withdrawn"],
];

describe("application state machine", () => {
  it.each(ALLOWED)("%s + %s → %s", (from, action, to) => {
    expect(nextState(from, action)).toBe(to);
    expect(canTransition(from, action)).toBe(true);
  });

  const forbidden = APPLICATION_STATES.flatMap((from) =>
    APPLICATION_ACTIONS.filter(
      (action) => !ALLOWED.some(([f, a]) => f === from && a === action),
    ).map((action) => [from, action] as const),
  );

  it("has eleven forbidden pairs", () => {
    expect(forbidden).toHaveLength(
      APPLICATION_STATES.length * APPLICATION_ACTIONS.length - ALLOWED.length,
    );
  });

  it.each(forbidden)(
    "%s + %s is rejected with a clear error",
    (from, action) => {
      expect(canTransition(from, action)).toBe(false);
      expect(() => nextState(from, action)).toThrow(TransitionError);
      try {
        nextState(from, action);
      } catch (error) {
        expect((error as Error).message).toMatch(
          /^Заявку в состоянии «.+» нельзя .+: обновите страницу/,
        );
      }
    },
  );
});
