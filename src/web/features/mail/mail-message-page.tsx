import { Link, useParams } from "react-router-dom";
import { ApiError } from "../../api/client";
import { PageHeading } from "../../components/page-heading";
import { Loading, RequestError } from "../../components/query-state";
import { formatDateTime } from "../review/labels";
import "../review/review.css";
import { useCaughtMessage } from "./api";
import { NoCatcherNotice } from "./mail-list-page";

/** `/mail/:id`: one caught message with its envelope and plain text. */
export function MailMessagePage() {
  const { id = "" } = useParams();
  const message = useCaughtMessage(id);
  const back = (
    <p>
      <Link to="/mail">← Ко всем письмам</Link>
    </p>
  );
  if (message.isPending) return <Loading />;
  if (message.isError) {
    const missing =
      message.error instanceof ApiError && message.error.status === 404;
    return (
      <>
        {back}
        <PageHeading title="Письмо не найдено">Письмо не найдено</PageHeading>
        {missing && message.error.message !== "Письмо не найдено" ? (
          <NoCatcherNotice />
        ) : (
          <RequestError error={message.error} />
        )}
      </>
    );
  }
  const mail = message.data;
  const title = mail.subject || "(без темы)";
  return (
    <>
      {back}
      <PageHeading title={title}>{title}</PageHeading>
      <dl className="summary-list">
        <dt>От кого</dt>
        <dd>{mail.headerFrom ?? mail.from ?? "—"}</dd>
        <dt>Кому</dt>
        <dd>{mail.headerTo ?? mail.to.join(", ")}</dd>
        <dt>Получено</dt>
        <dd>{formatDateTime(mail.receivedAt)}</dd>
      </dl>
      <h2 className="section-title">Текст письма</h2>
      <pre className="mail-text">
        <LinkedText text={mail.text} />
      </pre>
    </>
  );
}

/** Renders the text with its http(s) addresses as links, the rest as plain text. */
function LinkedText({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"]+)/g);
  return (
    <>
      {parts.map((part, index) =>
        index % 2 === 1 ? (
          <a key={index} href={part} rel="noreferrer">
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </>
  );
}
