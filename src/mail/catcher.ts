import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerAddress } from "smtp-server";
import type { Executor } from "../db/client.js";
import { caughtMail } from "../db/schema.js";
import type { WorkerLogger } from "./worker.js";

/** Largest message the catcher accepts, in bytes; the product's messages are a few KB. */
export const CATCHER_MAX_MESSAGE_BYTES = 1024 * 1024;

export interface MailCatcherOptions {
  db: Executor;
  /** `MAIL_CATCHER_PORT`; 0 picks a free port. */
  port: number;
  logger: WorkerLogger;
}

export interface MailCatcher {
  /** The port it listens on, on 127.0.0.1. */
  port: number;
  close(): Promise<void>;
}

function address(value: SMTPServerAddress | false): string | null {
  return value ? value.address : null;
}

/**
 * Starts the local mail catcher of the embedded default: an SMTP server on
 * 127.0.0.1 that accepts every message without authentication and stores it
 * in `caught_mail`, where the product's mail page reads it. It never relays.
 */
export async function startMailCatcher(
  options: MailCatcherOptions,
): Promise<MailCatcher> {
  const { db, logger } = options;
  const server = new SMTPServer({
    // Plain SMTP on the loopback address: no TLS, no login.
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    // Every client is on the loopback address: nothing to look up.
    disableReverseLookup: true,
    size: CATCHER_MAX_MESSAGE_BYTES,
    // ASCII: the greeting line of SMTP is not meant for UTF-8.
    banner: "Gospubliki local mail catcher",
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (error) => callback(error));
      stream.on("end", () => {
        if (stream.sizeExceeded) {
          const error = Object.assign(
            new Error(
              `Message exceeds the catcher's limit of ${CATCHER_MAX_MESSAGE_BYTES} bytes`,
            ),
            { responseCode: 552 },
          );
          return callback(error);
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        store(raw, session.envelope.mailFrom, session.envelope.rcptTo).then(
          (id) => {
            logger.info({ caughtMailId: id }, "mail caught");
            callback(null, `Stored as ${id}`);
          },
          (error: unknown) => {
            logger.error(
              { err: error },
              "mail catcher could not store a message",
            );
            callback(
              Object.assign(new Error("Temporary storage failure, try again"), {
                responseCode: 451,
              }),
            );
          },
        );
      });
    },
  });

  async function store(
    raw: string,
    from: SMTPServerAddress | false,
    to: SMTPServerAddress[],
  ): Promise<number> {
    const parsed = await simpleParser(raw);
    const [row] = await db
      .insert(caughtMail)
      .values({
        envelopeFrom: address(from),
        envelopeTo: to.map((recipient) => recipient.address),
        subject: parsed.subject ?? null,
        raw,
      })
      .returning({ id: caughtMail.id });
    return row!.id;
  }

  server.on("error", (error) => {
    logger.warn({ err: error }, "mail catcher connection error");
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  logger.info({ port }, "mail catcher listening on 127.0.0.1");
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
