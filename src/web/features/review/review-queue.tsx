import { useId, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { APPLICATION_STATES } from "../../../domain/states";
import { useDictionaries } from "../../api/applicant";
import { Loading, RequestError } from "../../components/query-state";
import {
  useReviewQueue,
  type QueueFilters,
  type QueuePage,
  type StateCount,
} from "./api";
import { formatDateTime, stateLabel, STATUS_TITLES } from "./labels";
import "./review.css";

const SEARCH_MIN_LENGTH = 3;
const STATUSES = [...APPLICATION_STATES, "all"] as const;

function readFilters(
  params: URLSearchParams,
  editorialCabinetId?: string,
): QueueFilters {
  const status = params.get("status") ?? "submitted";
  return {
    status: (STATUSES as readonly string[]).includes(status)
      ? (status as QueueFilters["status"])
      : "submitted",
    region: params.get("region") ?? "",
    type: params.get("type") ?? "",
    q: params.get("q") ?? "",
    editorialCabinetId,
  };
}

function countText(count: StateCount | undefined): string {
  if (!count) return "";
  return count.capped
    ? `более ${count.count.toLocaleString("ru-RU")}`
    : count.count.toLocaleString("ru-RU");
}

/**
 * Renders the review queue: status tabs with counts, filters by region, type and
 * text, the applications oldest first, and pages that follow the server's
 * cursor. Filters live in the page's address, so a filtered queue can be
 * bookmarked; `editorialCabinetId` narrows it to one editorial cabinet.
 */
export function ReviewQueue({
  editorialCabinetId,
  headingId,
}: {
  editorialCabinetId?: string;
  /** The id of the heading that names the queue, for the table's label. */
  headingId: string;
}) {
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params, editorialCabinetId);
  const filterKey = JSON.stringify(filters);
  // Cursors of the pages before the current one; a new filter starts over.
  const [pages, setPages] = useState<{ key: string; cursors: string[] }>({
    key: filterKey,
    cursors: [],
  });
  const cursors = pages.key === filterKey ? pages.cursors : [];
  const cursor = cursors.at(-1) ?? null;
  const queue = useReviewQueue(filters, cursor);
  const dictionaries = useDictionaries();

  const update = (changes: Partial<Record<string, string>>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    setParams(next, { replace: false });
  };

  return (
    <div className="review-queue">
      <StatusTabs
        current={filters.status}
        counts={queue.data?.counts}
        onSelect={(status) => update({ status })}
      />
      {/* With a search the server counts only the listed statuses. */}
      {queue.data && queue.data.counts.length < APPLICATION_STATES.length ? (
        <p className="hint status-tabs__note">
          При поиске число заявок указано только для выбранного статуса.
        </p>
      ) : null}
      <QueueFilterForm
        key={filterKey}
        filters={filters}
        regions={dictionaries.data?.regions ?? []}
        types={dictionaries.data?.cabinetTypes ?? []}
        onApply={(values) => update(values)}
        onReset={() => update({ region: "", type: "", q: "" })}
      />
      {queue.isPending ? <Loading>Загружаем заявки…</Loading> : null}
      {queue.isError ? <RequestError error={queue.error} /> : null}
      {queue.data ? (
        <QueueTable
          page={queue.data}
          headingId={headingId}
          showEditorial={!editorialCabinetId}
          busy={queue.isFetching}
        />
      ) : null}
      {queue.data && (cursors.length > 0 || queue.data.nextCursor) ? (
        <nav className="pagination" aria-label="Страницы списка заявок">
          {cursors.length > 0 ? (
            <button
              type="button"
              className="button button--secondary"
              onClick={() =>
                setPages({ key: filterKey, cursors: cursors.slice(0, -1) })
              }
            >
              Предыдущая страница
            </button>
          ) : null}
          <span className="pagination__current">
            Страница {cursors.length + 1}
          </span>
          {queue.data.nextCursor ? (
            <button
              type="button"
              className="button button--secondary"
              onClick={() =>
                setPages({
                  key: filterKey,
                  cursors: [...cursors, queue.data.nextCursor!],
                })
              }
            >
              Следующая страница
            </button>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}

function StatusTabs({
  current,
  counts,
  onSelect,
}: {
  current: QueueFilters["status"];
  counts: StateCount[] | undefined;
  onSelect: (status: QueueFilters["status"]) => void;
}) {
  return (
    <ul className="status-tabs" aria-label="Статус заявок">
      {STATUSES.map((status) => {
        const count =
          status === "all"
            ? undefined
            : counts?.find((entry) => entry.state === status);
        return (
          <li key={status}>
            <button
              type="button"
              className="status-tabs__tab"
              aria-pressed={current === status}
              onClick={() => onSelect(status)}
            >
              {status === "all" ? "Все" : STATUS_TITLES[status]}
              {count ? (
                <span className="status-tabs__count">
                  {" "}
                  ({countText(count)})
                </span>
              ) : null}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function QueueFilterForm({
  filters,
  regions,
  types,
  onApply,
  onReset,
}: {
  filters: QueueFilters;
  regions: { code: string; name: string }[];
  types: { code: string; name: string }[];
  onApply: (values: { region: string; type: string; q: string }) => void;
  onReset: () => void;
}) {
  const id = useId();
  const [searchError, setSearchError] = useState<string | null>(null);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const q = String(data.get("q") ?? "")
      .replace(/\s+/g, " ")
      .trim();
    if (q.length > 0 && q.length < SEARCH_MIN_LENGTH) {
      setSearchError(
        `Для поиска введите не менее ${SEARCH_MIN_LENGTH} символов названия или цифр ОГРН`,
      );
      document.getElementById(`${id}-q`)?.focus();
      return;
    }
    setSearchError(null);
    onApply({
      region: String(data.get("region") ?? ""),
      type: String(data.get("type") ?? ""),
      q,
    });
  };
  return (
    <form
      role="search"
      className="queue-filters"
      aria-label="Фильтры заявок"
      onSubmit={submit}
      noValidate
    >
      <div className="queue-filters__field">
        <label className="label" htmlFor={`${id}-q`}>
          Название кабинета или ОГРН
        </label>
        <input
          id={`${id}-q`}
          name="q"
          type="search"
          className={`input${searchError ? " input--error" : ""}`}
          defaultValue={filters.q}
          maxLength={200}
          aria-invalid={searchError ? true : undefined}
          aria-describedby={searchError ? `${id}-q-error` : undefined}
        />
        {searchError ? (
          <p id={`${id}-q-error`} className="field-error">
            <span className="visually-hidden">Ошибка: </span>
            {searchError}
          </p>
        ) : null}
      </div>
      <div className="queue-filters__field">
        <label className="label" htmlFor={`${id}-region`}>
          Регион
        </label>
        <select
          id={`${id}-region`}
          name="region"
          className="select"
          defaultValue={filters.region}
        >
          <option value="">Все регионы</option>
          {regions.map((region) => (
            <option key={region.code} value={region.code}>
              {region.name}
            </option>
          ))}
        </select>
      </div>
      <div className="queue-filters__field">
        <label className="label" htmlFor={`${id}-type`}>
          Тип кабинета
        </label>
        <select
          id={`${id}-type`}
          name="type"
          className="select"
          defaultValue={filters.type}
        >
          <option value="">Все типы</option>
          {types.map((type) => (
            <option key={type.code} value={type.code}>
              {type.name}
            </option>
          ))}
        </select>
      </div>
      <div className="queue-filters__actions">
        <button type="submit" className="button">
          Найти
        </button>
        <button
          type="button"
          className="button button--secondary"
          onClick={() => {
            setSearchError(null);
            onReset();
          }}
        >
          Сбросить
        </button>
      </div>
    </form>
  );
}

function QueueTable({
  page,
  headingId,
  showEditorial,
  busy,
}: {
  page: QueuePage;
  headingId: string;
  showEditorial: boolean;
  busy: boolean;
}) {
  if (page.items.length === 0) {
    return (
      <p className="notice" role="status">
        Заявок с такими условиями нет.
      </p>
    );
  }
  return (
    <div className="table-scroll" aria-busy={busy}>
      <table className="data-table" aria-labelledby={headingId}>
        <caption className="visually-hidden">
          Заявки, сначала поступившие раньше
        </caption>
        <thead>
          <tr>
            <th scope="col">Заявка</th>
            <th scope="col">Организация</th>
            <th scope="col">Регион и тип</th>
            {showEditorial ? <th scope="col">Редакция</th> : null}
            <th scope="col">Поступила</th>
            <th scope="col">Статус</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((item) => (
            <tr key={item.id}>
              <td>
                <Link to={`/review/${item.id}`}>{item.name}</Link>
                <div className="data-table__meta">№ {item.reference}</div>
              </td>
              <td>
                {item.organizationName}
                <div className="data-table__meta">ОГРН: {item.ogrn}</div>
              </td>
              <td>
                {item.regionName}
                <div className="data-table__meta">{item.typeName}</div>
              </td>
              {showEditorial ? (
                <td>
                  {item.editorialCabinetName ?? (
                    <span className="data-table__meta">
                      Кабинет редакции: рассматривает оператор платформы
                    </span>
                  )}
                </td>
              ) : null}
              <td>{formatDateTime(item.queuedAt)}</td>
              <td>
                <span className={`badge badge--${item.state}`}>
                  {stateLabel(item.state)}
                </span>
                {item.revision > 1 ? (
                  <div className="data-table__meta">
                    редакция {item.revision}
                  </div>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
