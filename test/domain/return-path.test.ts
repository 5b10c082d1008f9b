import { describe, expect, it } from "vitest";
import { signInReturnPath } from "../../src/domain/return-path.js";

describe("signInReturnPath", () => {
  it.each([
    ["/review", "/review"],
    ["/review/4f6b2c1e?tab=history", "/review/4f6b2c1e?tab=history"],
    ["/applications/1/../2", "/applications/2"],
  ])("keeps the page %s", (value, expected) => {
    expect(signInReturnPath(value)).toBe(expected);
  });

  it.each([
    ["another host", "https://evil.example/"],
    ["a protocol-relative address", "//evil.example/"],
    ["a backslash", "/\\evil.example"],
    ["a tab", "/\t/evil.example"],
    ["an encoded slash pair", "/%2F%2Fevil.example"],
    ["an encoded backslash", "/%5Cevil.example"],
    ["the API", "/api/session"],
    ["the API with an encoded letter", "/%61pi/session"],
    ["the API in capitals", "/API/session"],
    ["the API after a dot segment", "/x/../api/session"],
    ["the sign-in page", "/signin?app_name=ku"],
    ["an encoded sign-in page", "/%73ignin"],
    ["a broken escape", "/%E0%A4%A"],
    ["a value over 512 characters", `/${"a".repeat(512)}`],
    ["no value", undefined],
  ])("refuses %s", (_case, value) => {
    expect(signInReturnPath(value)).toBeNull();
  });
});
