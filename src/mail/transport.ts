import nodemailer, { type Transporter } from "nodemailer";

/**
 * SMTP timeouts, in milliseconds. They keep one send well below the outbox
 * lease (`DEFAULT_LEASE_MS` in worker.ts), so that another worker never
 * takes over a message that is still being sent.
 */
export const SMTP_TIMEOUTS = {
  connectionTimeout: 20_000,
  greetingTimeout: 20_000,
  socketTimeout: 60_000,
} as const;

export interface MailTransportOptions {
  /** `SMTP_URL`, e.g. smtp://user:password@host:587; unset means the embedded catcher. */
  smtpUrl?: string;
  /** Port of the embedded mail catcher on 127.0.0.1, used when `smtpUrl` is unset. */
  catcherPort?: number;
}

/**
 * Connections the worker keeps open to the SMTP server. It sends a batch over
 * them at once, and each connection carries up to `SMTP_POOL.maxMessages`
 * messages before it is replaced. Mail servers often pause before their
 * greeting (the embedded catcher and smtp-server for 100 ms, Postfix with
 * postscreen for longer), so a connection per message would cap delivery at a
 * few messages a second.
 */
export const SMTP_POOL = {
  pool: true,
  maxConnections: 3,
  maxMessages: 100,
} as const;

/**
 * Creates the nodemailer transport the outbox worker sends through: the
 * `SMTP_URL` server, or the embedded catcher on the loopback address, over a
 * small pool of connections. Call `close()` on shutdown to end them.
 */
export function createMailTransport(
  options: MailTransportOptions,
): Transporter {
  if (options.smtpUrl) {
    return nodemailer.createTransport({
      url: options.smtpUrl,
      ...SMTP_POOL,
      ...SMTP_TIMEOUTS,
    });
  }
  if (options.catcherPort === undefined) {
    throw new Error(
      "createMailTransport needs smtpUrl (SMTP_URL) or catcherPort (the embedded mail catcher)",
    );
  }
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port: options.catcherPort,
    secure: false,
    // The catcher offers no TLS; it listens on the loopback address only.
    ignoreTLS: true,
    ...SMTP_POOL,
    ...SMTP_TIMEOUTS,
  });
}
