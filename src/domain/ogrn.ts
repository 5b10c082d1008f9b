/**
 * ОГРН (13 digits) and ОГРНИП (15 digits) check digits. The last digit of an
 * ОГРН is the remainder of the first 12 digits divided by 11, taken modulo 10;
 * for an ОГРНИП the first 14 digits are divided by 13 instead.
 */
export type OgrnCheck =
  { valid: true; kind: "ogrn" | "ogrnip" } | { valid: false; reason: string };

export function checkOgrn(value: string): OgrnCheck {
  if (!/^\d+$/.test(value)) {
    return { valid: false, reason: "ОГРН должен состоять только из цифр" };
  }
  if (value.length !== 13 && value.length !== 15) {
    return {
      valid: false,
      reason: "ОГРН должен содержать 13 цифр, ОГРНИП — 15 цифр",
    };
  }
  const body = BigInt(value.slice(0, -1));
  const divisor = value.length === 13 ? 11n : 13n;
  const expected = Number((body % divisor) % 10n);
  if (expected !== Number(value.at(-1))) {
    return {
      valid: false,
      reason: `Контрольная цифра ${value.length === 13 ? "ОГРН" : "ОГРНИП"} неверна: проверьте номер по выписке из реестра`,
    };
  }
  return { valid: true, kind: value.length === 13 ? "ogrn" : "ogrnip" };
}

export function isValidOgrn(value: string): boolean {
  return checkOgrn(value).valid;
}
