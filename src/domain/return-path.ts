/** Paths that are not pages to return to: the API, the sign-in itself. */
const NOT_PAGES = /^\/(auth|api|signin)(\/|$)/i;

/**
 * Returns the path and query of `value` when it is a page of this product to
 * open after the sign-in, or null. Only a local path qualifies: an absolute
 * or protocol-relative address would make the sign-in an open redirect. The
 * server checks the value it stores, and the sign-in page the link it shows.
 */
export function signInReturnPath(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 512) return null;
  if (!value.startsWith("/") || value.startsWith("//")) return null;
  // URL parsing drops tabs and newlines and reads a backslash as a slash.
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || char === "\\") return null;
  }
  const base = "http://product.invalid";
  const url = new URL(value, base);
  if (url.origin !== base) return null;
  // The server decodes the path before routing, so /%61pi is /api.
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (NOT_PAGES.test(url.pathname) || NOT_PAGES.test(decoded)) return null;
  if (decoded.startsWith("//") || decoded.includes("\\")) return null;
  return url.pathname + url.search;
}
