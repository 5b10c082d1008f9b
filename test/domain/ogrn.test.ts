import { describe, expect, it } from "vitest";
import { checkOgrn, isValidOgrn } from "../../src/domain/ogrn.js";

describe("checkOgrn", () => {
  it.each(["1027800001019", "1027700132195", "1037739010891"])(
    "accepts valid ОГРН %s",
    (value) => {
      expect(checkOgrn(value)).toEqual({ valid: true, kind: "ogrn" });
    },
  );

  it("accepts a valid ОГРНИП", () => {
    expect(checkOgrn("319780000000102")).toEqual({
      valid: true,
      kind: "ogrnip",
    });
    expect(checkOgrn("304500116000157")).toEqual({
      valid: true,
      kind: "ogrnip",
    });
  });

  it("rejects a wrong ОГРН check digit", () => {
    const result = checkOgrn("1027800001018");
    expect(result.valid).toBe(false);
    if (!result.valid)
      expect(result.reason).toContain("Контрольная цифра ОГРН");
  });

  it("rejects a wrong ОГРНИП check digit", () => {
    const result = checkOgrn("319780000000103");
    expect(result.valid).toBe(false);
    if (!result.valid) expect(result.reason).toContain("ОГРНИП");
  });

  it.each([
    "",
    "102780000101",
    "10278000010190",
    "1027800O01019",
    "1027800001019 ",
  ])("rejects malformed value %j", (value) => {
    expect(isValidOgrn(value)).toBe(false);
  });

  it("uses the check digit 0 when the remainder is 10", () => {
    // 100000000000 mod 11 = 10, so the check digit is 10 mod 10 = 0.
    expect(BigInt("100000000000") % 11n).toBe(10n);
    expect(isValidOgrn("1000000000000")).toBe(true);
    expect(isValidOgrn("1000000000001")).toBe(false);
  });
});
