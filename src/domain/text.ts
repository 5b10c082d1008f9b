/**
 * Control characters (C0, DEL, C1) and the Unicode line and paragraph
 * separators, which a name must not contain.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTERS.test(value);
}

/**
 * Normalizes a name as the product stores it: NFC, trimmed, inner runs of
 * whitespace collapsed to one space. Control characters are left in place so
 * that validation can reject them instead of silently dropping input.
 */
export function normalizeName(value: string): string {
  return value
    .normalize("NFC")
    .replace(/[ \t\u00a0\u2000-\u200b\u3000]+/g, " ")
    .trim();
}

/** The key under which names are compared: normalized and lower-cased. */
export function nameKey(value: string): string {
  return normalizeName(value).toLocaleLowerCase("ru-RU").replaceAll("ё", "е");
}
