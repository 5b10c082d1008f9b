import type { AuditEvent } from "./api";
import { actionLabel, formatDateTime } from "./labels";

/**
 * Renders the audit events of an application, oldest first: what happened, who did
 * it, when, and on which revision; a rejection shows its reason.
 */
export function History({ events }: { events: AuditEvent[] }) {
  if (events.length === 0) {
    return <p className="hint">Событий нет.</p>;
  }
  return (
    <ol className="timeline">
      {events.map((event) => (
        <li key={event.id} className="timeline__item">
          <div className="timeline__title">{actionLabel(event.action)}</div>
          <div className="timeline__meta">
            {formatDateTime(event.occurredAt)}
            {event.actor ? `, ${event.actor.name}` : ""}
            {event.revision ? `, редакция ${event.revision}` : ""}
          </div>
          {event.reason ? (
            <p className="quote">Причина: {event.reason}</p>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
