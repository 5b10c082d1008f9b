import { createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { z } from "zod";

/** Formats a time as ESIA's `timestamp`: `2025.09.02 10:00:29 +0000` (UTC). */
export function formatEsiaTimestamp(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return (
    `${date.getUTCFullYear()}.${pad(date.getUTCMonth() + 1)}.${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/**
 * Reads token verification keys from PEM: X.509 certificates (as ESIA
 * publishes them) or SPKI public keys. A PEM text may hold several blocks.
 */
export function loadVerificationKeys(
  pems: Array<string | KeyObject>,
): KeyObject[] {
  const keys: KeyObject[] = [];
  for (const item of pems) {
    if (typeof item !== "string") {
      keys.push(item);
      continue;
    }
    const blocks = item.match(
      /-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g,
    );
    if (!blocks)
      throw new Error("no PEM block found in an ESIA verification key");
    for (const block of blocks) {
      keys.push(
        block.includes("CERTIFICATE")
          ? new X509Certificate(block).publicKey
          : createPublicKey(block),
      );
    }
  }
  if (keys.length === 0)
    throw new Error("at least one ESIA verification key is required");
  return keys;
}

/** The organization-scope prefix, `http` even on ESIA's test stand. */
export const ORG_SCOPE_PREFIX = "http://esia.gosuslugi.ru/";

// Shapes of ESIA's responses. Unknown fields pass through; missing ones are errors.

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  id_token: z.string().min(1).optional(),
  refresh_token: z.string().min(1).optional(),
  state: z.string(),
  token_type: z.string().optional(),
  expires_in: z.number().int().positive(),
});

export const tokenErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
  state: z.string().optional(),
});

export const restErrorSchema = z.object({
  code: z.string(),
  message: z.string().optional(),
});

export const personSchema = z.object({
  firstName: z.string().min(1),
  lastName: z.string().min(1),
  middleName: z.string().optional().nullable(),
});

const collection = <T extends z.ZodType>(element: T) =>
  z.object({
    size: z.number().int().nonnegative().optional(),
    elements: z.array(element),
  });

export const contactsSchema = collection(
  z.object({
    type: z.string(),
    value: z.string(),
    vrfStu: z.string().optional(),
  }),
);

export const rolesSchema = collection(
  z.object({
    oid: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
    ogrn: z.string().regex(/^\d{13}$|^\d{15}$/),
    fullName: z.string().min(1),
    shortName: z.string().optional(),
    type: z.enum(["LEGAL", "BUSINESS", "AGENCY"]),
    chief: z.boolean().default(false),
    admin: z.boolean().default(false),
    active: z.boolean(),
    isLiquidated: z.boolean(),
  }),
);

export const groupsSchema = collection(
  z.object({
    grp_id: z.string().min(1),
    name: z.string(),
  }),
);
