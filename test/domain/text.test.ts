import { describe, expect, it } from "vitest";
import { cabinetNameSchema } from "../../src/domain/application-form.js";
import {
  hasControlCharacters,
  nameKey,
  normalizeName,
} from "../../src/domain/text.js";

describe("normalizeName", () => {
  it("trims and collapses inner whitespace", () => {
    expect(normalizeName("  Кабинет \u00a0  ЦГУ  ")).toBe("Кабинет ЦГУ");
  });

  it("composes to NFC", () => {
    expect(normalizeName("и\u0306")).toBe("й");
  });

  it("compares names case-insensitively with ё as е", () => {
    expect(nameKey("Кабинет  Ёлки")).toBe(nameKey("кабинет елки"));
  });

  it("detects control characters", () => {
    expect(hasControlCharacters("a\tb")).toBe(true);
    expect(hasControlCharacters("a\u0085b")).toBe(true);
    expect(hasControlCharacters("a\u2028b")).toBe(true);
    expect(hasControlCharacters("обычное название")).toBe(false);
  });

  it("detects half a surrogate pair", () => {
    expect(hasControlCharacters("a\ud800b")).toBe(true);
    expect(hasControlCharacters("a\udc00")).toBe(true);
    expect(hasControlCharacters("Кабинет 😀")).toBe(false);
  });
});

describe("cabinetNameSchema", () => {
  it("accepts a name of 3 characters after trimming", () => {
    expect(cabinetNameSchema.parse("  ЦГУ ")).toBe("ЦГУ");
  });

  it("rejects a name of 2 characters", () => {
    const result = cabinetNameSchema.safeParse(" ЦГ ");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain("не менее 3");
  });

  it("rejects a name of 201 characters", () => {
    const result = cabinetNameSchema.safeParse("я".repeat(201));
    expect(result.error?.issues[0]?.message).toContain("не более 200");
  });

  it("rejects control characters", () => {
    const result = cabinetNameSchema.safeParse("Кабинет\nЦГУ");
    expect(result.error?.issues[0]?.message).toContain("управляющие символы");
  });

  it("keeps markup as typed", () => {
    expect(cabinetNameSchema.parse("<b>Кабинет</b>")).toBe("<b>Кабинет</b>");
  });

  it("rejects an empty name with the field's prompt", () => {
    expect(cabinetNameSchema.safeParse("   ").error?.issues[0]?.message).toBe(
      "Введите название кабинета",
    );
  });
});

describe("invisible characters in names", () => {
  it.each([
    ["zero-width space", "Кабинет\u200bЦГУ"],
    ["right-to-left override", "Кабинет \u202eУГЦ"],
    ["byte order mark", "\ufeffКабинет ЦГУ"],
    ["word joiner", "Кабинет\u2060ЦГУ"],
  ])("rejects a %s", (_name, value) => {
    expect(hasControlCharacters(value)).toBe(true);
    expect(cabinetNameSchema.safeParse(value).success).toBe(false);
  });
});
