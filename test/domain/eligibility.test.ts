import { describe, expect, it } from "vitest";
import {
  checkEligibility,
  hasCabinetAccess,
} from "../../src/domain/eligibility.js";
import { GROUPS, organization } from "../helpers/profiles.js";

describe("checkEligibility", () => {
  it("accepts an active admin in the work group", () => {
    expect(checkEligibility(organization(), "work", GROUPS)).toEqual([]);
  });

  it("accepts a chief without the admin role", () => {
    expect(
      checkEligibility(
        organization({ chief: true, admin: false }),
        "work",
        GROUPS,
      ),
    ).toEqual([]);
  });

  it.each([
    ["employee_blocked", { active: false }],
    ["organization_liquidated", { isLiquidated: true }],
    ["individual_entrepreneur", { type: "BUSINESS" as const }],
    ["no_role", { chief: false, admin: false }],
    ["no_group", { groups: [] }],
  ])("reports %s", (code, overrides) => {
    const problems = checkEligibility(organization(overrides), "work", GROUPS);
    expect(problems.map((problem) => problem.code)).toEqual([code]);
    expect(problems[0]?.message.length).toBeGreaterThan(40);
  });

  it("needs the editorial group for an editorial cabinet", () => {
    const problems = checkEligibility(organization(), "editorial", GROUPS);
    expect(problems.map((problem) => problem.code)).toEqual(["no_group"]);
    expect(problems[0]?.message).toContain("ПОС. Госпаблики. Кабинет редакции");
  });

  it("lists every failed condition at once", () => {
    const problems = checkEligibility(
      organization({ active: false, chief: false, admin: false, groups: [] }),
      "work",
      GROUPS,
    );
    expect(problems.map((problem) => problem.code)).toEqual([
      "employee_blocked",
      "no_role",
      "no_group",
    ]);
  });
});

describe("hasCabinetAccess", () => {
  it("needs an active employee in the group", () => {
    expect(hasCabinetAccess(organization(), "work", GROUPS)).toBe(true);
    expect(
      hasCabinetAccess(organization({ active: false }), "work", GROUPS),
    ).toBe(false);
    expect(hasCabinetAccess(organization(), "editorial", GROUPS)).toBe(false);
  });
});
