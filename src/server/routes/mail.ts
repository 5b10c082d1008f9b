import { desc, eq, lt } from "drizzle-orm";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { simpleParser, type AddressObject } from "mailparser";
import { z } from "zod";
import { caughtMail } from "../../db/schema.js";
import { ForbiddenError, NotFoundError } from "../errors.js";
import { errorSchema } from "./review.js";

const summarySchema = z.object({
  id: z.number().int(),
  receivedAt: z.string(),
  from: z.string().nullable(),
  to: z.array(z.string()),
  subject: z.string().nullable(),
});

const listSchema = z.object({
  items: z.array(summarySchema),
  /** Pass as `before` to get older messages; null on the last page. */
  nextBefore: z.number().int().nullable(),
});

const messageSchema = summarySchema.extend({
  /** The From and To headers as written in the message. */
  headerFrom: z.string().nullable(),
  headerTo: z.string().nullable(),
  messageId: z.string().nullable(),
  text: z.string(),
});

const listQuerySchema = z.object({
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const idParamsSchema = z.object({
  id: z.coerce
    .number({
      error: "Номер письма в адресе неверен: откройте письмо из списка",
    })
    .int()
    .min(1),
});

/** Checks whether a socket address is this machine: 127.0.0.0/8 or ::1. */
export function isLoopback(address: string): boolean {
  const ipv4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return ipv4.startsWith("127.") || address === "::1";
}

function addressText(
  value: AddressObject | AddressObject[] | undefined,
): string | null {
  if (!value) return null;
  return Array.isArray(value)
    ? value.map((item) => item.text).join(", ")
    : value.text;
}

/**
 * Registers the pages of the messages the embedded mail catcher received,
 * newest first. They exist only when the product runs its own catcher
 * (`SMTP_URL` unset).
 * NOTE: like any local mail catcher, the pages need no session, so the demo
 * mail can be read before signing in. Because they show every recipient's
 * mail, they exist only in the embedded default and serve only requests
 * from this machine (the TCP peer, ignoring X-Forwarded-For), even when
 * HOST opens the product to the network.
 */
export const mailRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.services.db;

  app.addHook("onRequest", async (request) => {
    const peer = request.socket.remoteAddress ?? "";
    if (!isLoopback(peer)) {
      request.log.warn(
        { path: request.routeOptions.url },
        "mail page requested from another machine",
      );
      throw new ForbiddenError(
        "Письма встроенного почтового сервера можно читать только на компьютере, где запущен сервис",
      );
    }
  });

  app.get(
    "/api/mail",
    {
      schema: {
        tags: ["mail"],
        summary: "Messages caught by the embedded mail catcher, newest first",
        querystring: listQuerySchema,
        response: { 200: listSchema, 422: errorSchema },
      },
    },
    async (request) => {
      const { before, limit } = request.query;
      const rows = await db
        .select({
          id: caughtMail.id,
          receivedAt: caughtMail.receivedAt,
          from: caughtMail.envelopeFrom,
          to: caughtMail.envelopeTo,
          subject: caughtMail.subject,
        })
        .from(caughtMail)
        .where(before ? lt(caughtMail.id, before) : undefined)
        .orderBy(desc(caughtMail.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      return {
        items: page.map((row) => ({
          ...row,
          receivedAt: row.receivedAt.toISOString(),
        })),
        nextBefore:
          rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    },
  );

  app.get(
    "/api/mail/:id",
    {
      schema: {
        tags: ["mail"],
        summary: "One caught message with its text",
        params: idParamsSchema,
        response: { 200: messageSchema, 404: errorSchema, 422: errorSchema },
      },
    },
    async (request) => {
      const [row] = await db
        .select()
        .from(caughtMail)
        .where(eq(caughtMail.id, request.params.id));
      if (!row) throw new NotFoundError("Письмо не найдено");
      const parsed = await simpleParser(row.raw);
      return {
        id: row.id,
        receivedAt: row.receivedAt.toISOString(),
        from: row.envelopeFrom,
        to: row.envelopeTo,
        subject: row.subject,
        headerFrom: addressText(parsed.from),
        headerTo: addressText(parsed.to),
        messageId: parsed.messageId ?? null,
        // The product sends plain text only; HTML parts are not rendered.
        text: parsed.text ?? "",
      };
    },
  );
};
