import { domainToASCII } from "node:url";

/**
 * E-mail validation that accepts internationalized domains such as
 * `приемная@минздрав.рф` and Cyrillic local parts (RFC 6531). The domain is
 * converted to Punycode and checked label by label; the local part accepts
 * the RFC 5322 dot-atom characters and any letter.
 */
const LOCAL_PART =
  /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const ASCII_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function isValidEmail(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf("@");
  if (at < 1 || at === value.length - 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) return false;
  return toAsciiDomain(domain) !== null;
}

/** Returns the Punycode form of a domain, or null when it is not valid. */
export function toAsciiDomain(domain: string): string | null {
  if (domain.endsWith(".")) return null;
  const ascii = domainToASCII(domain.toLowerCase());
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split(".");
  if (labels.length < 2) return null;
  if (!labels.every((label) => ASCII_LABEL.test(label))) return null;
  const tld = labels.at(-1)!;
  if (/^\d+$/.test(tld) || tld.length < 2) return null;
  return ascii;
}

/** Normalizes an e-mail: trimmed, domain lower-cased, NFC. */
export function normalizeEmail(value: string): string {
  const trimmed = value.normalize("NFC").trim();
  const at = trimmed.lastIndexOf("@");
  if (at < 0) return trimmed;
  return trimmed.slice(0, at) + "@" + trimmed.slice(at + 1).toLowerCase();
}
