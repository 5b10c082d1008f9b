import { createServer, type AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMessage {
  envelopeTo: string[];
  subject: string;
  text: string;
  messageId: string | undefined;
  /** The `X-Gospubliki-Outbox-Id` header. */
  outboxId: string | undefined;
  from: string;
}

export interface SmtpSink {
  port: number;
  /** Every message the server accepted, in order of arrival. */
  messages: ReceivedMessage[];
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  /** Rejects a recipient with this SMTP reply code, e.g. 550. */
  rejectRecipientsWith?: number;
  /** Holds the reply to the first message's data this long, in ms. */
  delayFirstMessageMs?: number;
}

/**
 * Starts a real SMTP server on 127.0.0.1 that records what it receives,
 * standing in for the organization's mail server in tests.
 */
export async function startSmtpSink(
  options: SmtpSinkOptions = {},
): Promise<SmtpSink> {
  const messages: ReceivedMessage[] = [];
  let received = 0;
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipientsWith) {
        const error = Object.assign(
          new Error(`Mailbox ${address.address} unavailable`),
          { responseCode: options.rejectRecipientsWith },
        );
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const delayMs = received === 0 ? (options.delayFirstMessageMs ?? 0) : 0;
      received += 1;
      simpleParser(stream).then(
        async (parsed) => {
          if (delayMs > 0) {
            await new Promise((resolve) => setTimeout(resolve, delayMs));
          }
          const outboxId = parsed.headers.get("x-gospubliki-outbox-id");
          messages.push({
            envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            messageId: parsed.messageId,
            outboxId: typeof outboxId === "string" ? outboxId : undefined,
            from: parsed.from?.text ?? "",
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Finds a free port on 127.0.0.1 and releases it, for a server that starts later. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Polls `check` every 25 ms until it returns true; throws after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Creates a logger that keeps every line, so tests can check that no address leaks. */
export function recordingLogger() {
  const lines: { level: string; object: object; message: string }[] = [];
  const record = (level: string) => (object: object, message: string) => {
    lines.push({ level, object, message });
  };
  return {
    lines,
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
  };
}
