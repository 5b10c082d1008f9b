import { createHash, verify, type KeyObject } from "node:crypto";
import {
  child,
  decodeOid,
  DerError,
  parseDer,
  TAG,
  type DerNode,
} from "./der.js";

/**
 * Checks of `client_secret`. The simulator stands an RSA (or Ed25519) key in
 * for GOST R 34.10-2012, because Node has no GOST: the v2/v3 endpoints take a
 * raw signature in base64url, the legacy endpoints a detached CMS SignedData.
 */

const OID = {
  signedData: "1.2.840.113549.1.7.2",
  data: "1.2.840.113549.1.7.1",
  sha256: "2.16.840.1.101.3.4.2.1",
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  contentTypeAttribute: "1.2.840.113549.1.9.3",
  messageDigestAttribute: "1.2.840.113549.1.9.4",
} as const;

/**
 * Decodes base64url with or without padding. Standard base64 is accepted
 * too, because some ESIA clients send it and ESIA's tolerance is unknown.
 */
export function decodeBase64Url(value: string): Buffer | null {
  if (!/^[A-Za-z0-9_\-+/]+={0,2}$/.test(value)) return null;
  return Buffer.from(
    value.replace(/\+/g, "-").replace(/\//g, "_"),
    "base64url",
  );
}

function verifyWithKey(
  key: KeyObject,
  data: Buffer,
  signature: Buffer,
): boolean {
  const algorithm = key.asymmetricKeyType === "ed25519" ? null : "sha256";
  try {
    return verify(algorithm, data, key, signature);
  } catch {
    return false;
  }
}

/** Verifies a raw signature (v2/ac, v3/te) over the exact UTF-8 string. */
export function verifyRawSecret(
  key: KeyObject,
  signedString: string,
  clientSecret: string,
): boolean {
  const signature = decodeBase64Url(clientSecret);
  if (!signature || signature.length === 0) return false;
  return verifyWithKey(key, Buffer.from(signedString, "utf8"), signature);
}

/**
 * Verifies a detached CMS SignedData (legacy /aas/oauth2/ac and /te) over
 * the exact UTF-8 string: SHA-256 digest, RSA signature, with or without
 * signed attributes. Returns a reason when the signature is not accepted.
 */
export function verifyDetachedCms(
  key: KeyObject,
  signedString: string,
  clientSecret: string,
): { valid: true } | { valid: false; reason: string } {
  const der = decodeBase64Url(clientSecret);
  if (!der || der.length === 0)
    return { valid: false, reason: "not base64url" };
  const data = Buffer.from(signedString, "utf8");
  try {
    const signerInfos = readSignerInfos(parseDer(der));
    for (const signerInfo of signerInfos) {
      if (verifySignerInfo(key, signerInfo, data)) return { valid: true };
    }
    return { valid: false, reason: "no signer's signature verifies" };
  } catch (error) {
    const reason = error instanceof DerError ? error.message : String(error);
    return { valid: false, reason };
  }
}

function readSignerInfos(contentInfo: DerNode): DerNode[] {
  if (contentInfo.tag !== TAG.sequence)
    throw new DerError("ContentInfo is not a SEQUENCE");
  if (decodeOid(child(contentInfo, 0, TAG.oid)) !== OID.signedData) {
    throw new DerError("ContentInfo is not SignedData");
  }
  const signedData = child(
    child(contentInfo, 1, TAG.context0),
    0,
    TAG.sequence,
  );
  const encapsulated = child(signedData, 2, TAG.sequence);
  if (decodeOid(child(encapsulated, 0, TAG.oid)) !== OID.data) {
    throw new DerError("encapsulated content type is not data");
  }
  if (encapsulated.children.length > 1) {
    throw new DerError("the signature is not detached: it carries the content");
  }
  const signerInfos = signedData.children.at(-1);
  if (
    !signerInfos ||
    signerInfos.tag !== TAG.set ||
    signerInfos.children.length === 0
  ) {
    throw new DerError("SignedData has no signerInfos");
  }
  return signerInfos.children;
}

function verifySignerInfo(
  key: KeyObject,
  signerInfo: DerNode,
  data: Buffer,
): boolean {
  // SignerInfo: version, sid, digestAlgorithm, [0] signedAttrs?, signatureAlgorithm, signature.
  const digestAlgorithm = decodeOid(
    child(child(signerInfo, 2, TAG.sequence), 0, TAG.oid),
  );
  if (digestAlgorithm !== OID.sha256) {
    throw new DerError(`digest algorithm ${digestAlgorithm} is not SHA-256`);
  }
  let index = 3;
  let signedAttributes: DerNode | null = null;
  if (child(signerInfo, index).tag === TAG.context0) {
    signedAttributes = child(signerInfo, index);
    index += 1;
  }
  const signatureAlgorithm = decodeOid(
    child(child(signerInfo, index, TAG.sequence), 0, TAG.oid),
  );
  if (
    signatureAlgorithm !== OID.rsaEncryption &&
    signatureAlgorithm !== OID.sha256WithRsa
  ) {
    throw new DerError(`signature algorithm ${signatureAlgorithm} is not RSA`);
  }
  const signature = child(signerInfo, index + 1, TAG.octetString).content;

  if (!signedAttributes) return verifyWithKey(key, data, signature);

  const digest = createHash("sha256").update(data).digest();
  const messageDigest = findAttribute(
    signedAttributes,
    OID.messageDigestAttribute,
  );
  if (!messageDigest || !messageDigest.content.equals(digest)) {
    throw new DerError(
      "the messageDigest attribute does not match the signed string",
    );
  }
  const contentType = findAttribute(signedAttributes, OID.contentTypeAttribute);
  if (!contentType || decodeOid(contentType) !== OID.data) {
    throw new DerError("the contentType attribute is missing or not data");
  }
  // The signature covers the attributes encoded as a SET, not as [0].
  const asSet = Buffer.from(signedAttributes.encoded);
  asSet[0] = TAG.set;
  return verifyWithKey(key, asSet, signature);
}

function findAttribute(attributes: DerNode, oid: string): DerNode | null {
  for (const attribute of attributes.children) {
    if (decodeOid(child(attribute, 0, TAG.oid)) === oid) {
      return child(child(attribute, 1, TAG.set), 0);
    }
  }
  return null;
}
