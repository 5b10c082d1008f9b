import { Link } from "react-router-dom";
import { ApiError } from "../../api/client";
import { PageHeading } from "../../components/page-heading";
import { Loading, RequestError } from "../../components/query-state";
import { formatDateTime } from "../review/labels";
import "../review/review.css";
import { useCaughtMail } from "./api";

/** Renders the notice for a product that sends real mail through `SMTP_URL`. */
export function NoCatcherNotice() {
  return (
    <div className="notice" role="status">
      <p>
        Локальный перехватчик почты не запущен: сервис отправляет письма через
        почтовый сервер, заданный в SMTP_URL.
      </p>
    </div>
  );
}

/**
 * `/mail`: the messages the embedded mail catcher received, newest first.
 * The page exists only in the embedded default, where no mail leaves the
 * machine.
 */
export function MailListPage() {
  const mail = useCaughtMail();
  const title = "Почта";
  const items = mail.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <PageHeading title={title}>
        <span id="mail-heading">{title}</span>
      </PageHeading>
      <p className="caption">
        Письма, которые сервис отправил во встроенный почтовый перехватчик.
        Наружу они не уходят. Список обновляется каждые 5 секунд.
      </p>
      {mail.isPending ? <Loading>Загружаем письма…</Loading> : null}
      {mail.isError ? (
        mail.error instanceof ApiError && mail.error.status === 404 ? (
          <NoCatcherNotice />
        ) : (
          <RequestError error={mail.error} />
        )
      ) : null}
      {mail.data && items.length === 0 ? (
        <p className="notice" role="status">
          Писем пока нет. Подайте заявку, и подтверждение появится здесь.
        </p>
      ) : null}
      {items.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table" aria-labelledby="mail-heading">
            <thead>
              <tr>
                <th scope="col">Тема</th>
                <th scope="col">Кому</th>
                <th scope="col">Получено</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td>
                    <Link to={`/mail/${item.id}`}>
                      {item.subject || "(без темы)"}
                    </Link>
                  </td>
                  <td>{item.to.join(", ")}</td>
                  <td>{formatDateTime(item.receivedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {mail.hasNextPage ? (
        <p>
          <button
            type="button"
            className="button button--secondary"
            disabled={mail.isFetchingNextPage}
            onClick={() => void mail.fetchNextPage()}
          >
            Показать ещё
          </button>
        </p>
      ) : null}
    </>
  );
}
