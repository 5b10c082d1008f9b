/**
 * A minimal DER reader: enough ASN.1 to take apart a CMS SignedData.
 * Indefinite lengths (BER) are rejected because CMS signatures sent to ESIA
 * are DER.
 */

export interface DerNode {
  /** The identifier octet as sent, e.g. 0x30 for SEQUENCE, 0xa0 for [0]. */
  tag: number;
  constructed: boolean;
  /** The contents octets. */
  content: Buffer;
  /** The whole encoding: identifier, length and contents. */
  encoded: Buffer;
  children: DerNode[];
}

export class DerError extends Error {
  override name = "DerError";
}

export const TAG = {
  integer: 0x02,
  octetString: 0x04,
  oid: 0x06,
  sequence: 0x30,
  set: 0x31,
  context0: 0xa0,
  context1: 0xa1,
  context0Primitive: 0x80,
} as const;

export function parseDer(input: Buffer): DerNode {
  const [node, end] = readNode(input, 0);
  if (end !== input.length) {
    throw new DerError(
      `trailing ${input.length - end} bytes after the DER value`,
    );
  }
  return node;
}

function readNode(input: Buffer, start: number): [DerNode, number] {
  if (start + 2 > input.length) throw new DerError("truncated DER value");
  const tag = input[start]!;
  if ((tag & 0x1f) === 0x1f)
    throw new DerError("multi-byte tags are not supported");
  let offset = start + 1;
  let length = input[offset++]!;
  if (length === 0x80) throw new DerError("indefinite length is not DER");
  if (length > 0x80) {
    const octets = length & 0x7f;
    if (octets > 4) throw new DerError("length too large");
    length = 0;
    for (let i = 0; i < octets; i++) {
      if (offset >= input.length) throw new DerError("truncated DER length");
      length = length * 256 + input[offset++]!;
    }
  }
  const end = offset + length;
  if (end > input.length) throw new DerError("DER value runs past its end");
  const content = input.subarray(offset, end);
  const constructed = (tag & 0x20) !== 0;
  const children: DerNode[] = [];
  if (constructed) {
    let childOffset = 0;
    while (childOffset < content.length) {
      const [child, childEnd] = readNode(content, childOffset);
      children.push(child);
      childOffset = childEnd;
    }
  }
  return [
    {
      tag,
      constructed,
      content,
      encoded: input.subarray(start, end),
      children,
    },
    end,
  ];
}

/** Decodes an OBJECT IDENTIFIER node into dotted form. */
export function decodeOid(node: DerNode): string {
  if (node.tag !== TAG.oid) throw new DerError("expected an OBJECT IDENTIFIER");
  const bytes = node.content;
  if (bytes.length === 0) throw new DerError("empty OBJECT IDENTIFIER");
  const parts: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift()!;
  const head =
    first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join(".");
}

/** Returns the child at `index`, checking its tag. */
export function child(node: DerNode, index: number, tag?: number): DerNode {
  const found = node.children[index];
  if (!found) throw new DerError(`missing element ${index}`);
  if (tag !== undefined && found.tag !== tag) {
    throw new DerError(
      `element ${index} has tag 0x${found.tag.toString(16)}, expected 0x${tag.toString(16)}`,
    );
  }
  return found;
}
