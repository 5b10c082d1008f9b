/**
 * Characters a name must not contain: control characters (C0, DEL, C1), the
 * Unicode line and paragraph separators, and the invisible format characters
 * (zero-width, bidirectional overrides and isolates, byte order mark) that
 * make look-alike names.
 */
const CONTROL_CHARACTERS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** A UTF-16 surrogate without its pair: not a character, and stored as U+FFFD. */
const LONE_SURROGATE =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Checks for characters a name must not contain: control and invisible
 * characters, and halves of a UTF-16 surrogate pair, which JSON can carry
 * but no database text can store.
 */
export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTERS.test(value) || LONE_SURROGATE.test(value);
}

/** Checks that the text is whole Unicode: no unpaired UTF-16 surrogate. */
export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/**
 * Normalizes a name as the product stores it: NFC, trimmed, inner runs of
 * whitespace collapsed to one space. Control characters are left in place so
 * that validation can reject them instead of silently dropping input.
 */
export function normalizeName(value: string): string {
  return value
    .normalize("NFC")
    .replace(/[ \t\u00a0\u2000-\u200a\u3000]+/g, " ")
    .trim();
}

/** The key under which names are compared: normalized and lower-cased. */
export function nameKey(value: string): string {
  return normalizeName(value).toLocaleLowerCase("ru-RU").replaceAll("ё", "е");
}
