import { sql, type SQL } from "drizzle-orm";
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
  const rows = outboxRows(messages);
  if (rows.length > 0) await tx.insert(mailOutbox).values(rows);
}

/** Renders the messages into outbox rows, leaving out those without an address. */
function outboxRows(messages: OutboxMessage[]) {
  return messages
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
}

/**
 * Builds the insert of enqueueMail as a statement for a data-modifying WITH clause,
 * so that a change and its mail are written in one round trip. Returns null
 * when no message has an address.
 */
export function outboxInsertSql(messages: OutboxMessage[]): SQL | null {
  const rows = outboxRows(messages);
  if (rows.length === 0) return null;
  const values = sql.join(
    rows.map(
      (row) =>
        sql`(${row.template}, ${row.toAddress}, ${row.subject}, ${row.body}, ${row.applicationId}::uuid)`,
    ),
    sql`, `,
  );
  return sql`insert into mail_outbox (template, to_address, subject, body, application_id) values ${values}`;
}
