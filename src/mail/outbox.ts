import type { Executor } from "../db/client.js";
import { mailOutbox } from "../db/schema.js";
import {
  renderMail,
  type ApplicationMailFacts,
  type MailTemplate,
} from "./templates.js";

export interface OutboxMessage {
  template: MailTemplate;
  to: string;
  facts: ApplicationMailFacts;
  applicationId: string;
}

/**
 * Writes messages to the outbox. Call it inside the transaction of the change
 * the messages report, so that a message exists exactly when the change does;
 * the mail worker sends it after commit.
 */
export async function enqueueMail(
  tx: Executor,
  messages: OutboxMessage[],
): Promise<void> {
  const rows = messages
    .filter((message) => message.to.length > 0)
    .map((message) => {
      const content = renderMail(message.template, message.facts);
      return {
        template: message.template,
        toAddress: message.to,
        subject: content.subject,
        body: content.body,
        applicationId: message.applicationId,
      };
    });
  if (rows.length > 0) await tx.insert(mailOutbox).values(rows);
}
