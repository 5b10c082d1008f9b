/**
 * Browser stand-in for `domainToASCII` of `node:url`, which the shared e-mail
 * validation in src/domain/email.ts uses. The WHATWG URL parser converts an
 * internationalized host name to Punycode the same way; like Node's function
 * it returns an empty string for a name it cannot convert.
 */
export function domainToASCII(domain: string): string {
  if (domain === "" || /[\s/?#@:[\]\\%]/.test(domain)) return "";
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return "";
  }
}
