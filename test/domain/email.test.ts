import { describe, expect, it } from "vitest";
import { isValidEmail, normalizeEmail } from "../../src/domain/email.js";

describe("isValidEmail", () => {
  it.each([
    "приемная@минздрав.рф",
    "ivanov@example.ru",
    "first.last+tag@sub.example.com",
    "почта@пример.москва",
    "user@xn--80ak6aa92e.com",
    "o'neil@example.org",
  ])("accepts %s", (value) => {
    expect(isValidEmail(value)).toBe(true);
  });

  it.each([
    "",
    "plain",
    "@example.ru",
    "user@",
    "user@localhost",
    "user@@example.ru",
    "user@exam ple.ru",
    "user@-example.ru",
    "user@example.ru.",
    ".user@example.ru",
    "us..er@example.ru",
    "user@example.123",
    `${"a".repeat(65)}@example.ru`,
    "<script>@example.ru",
    "a@b.c",
  ])("rejects %j", (value) => {
    expect(isValidEmail(value)).toBe(false);
  });

  it("lower-cases the domain only", () => {
    expect(normalizeEmail("  Ivanov@Example.RU ")).toBe("Ivanov@example.ru");
    expect(normalizeEmail("Приемная@МИНЗДРАВ.РФ")).toBe("Приемная@минздрав.рф");
  });
});
