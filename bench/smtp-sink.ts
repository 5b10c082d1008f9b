import { SMTPServer } from "smtp-server";
import { freePort } from "./server.js";

export interface SmtpSink {
  url: string;
  /** Messages received so far. */
  received(): number;
  close(): Promise<void>;
}

/**
 * Starts an SMTP server on the loopback address that accepts and discards
 * every message. It stands in for the deployment's mail server, so the outbox
 * worker does its production work during the load.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    // Every client is on the loopback address: nothing to look up.
    disableReverseLookup: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      stream.on("data", () => {});
      stream.on("end", () => {
        count += 1;
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) =>
    server.listen(port, "127.0.0.1", resolve),
  );
  return {
    url: `smtp://127.0.0.1:${port}`,
    received: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
