import { Link, useParams } from "react-router-dom";
import { PageHeading } from "../../components/page-heading";
import { Loading, RequestError } from "../../components/query-state";
import { History } from "../review/history";
import { CABINET_KIND_LABELS, formatDate } from "../review/labels";
import { ReviewQueue } from "../review/review-queue";
import "../review/review.css";
import { useBoundCabinets, useCabinet, type CabinetDetail } from "./api";

/**
 * `/cabinets/:id`: a cabinet's details and the history of the application
 * that created it. An editorial cabinet's page also shows its review queue
 * and the work cabinets bound to it.
 */
export function CabinetPage() {
  const { id = "" } = useParams();
  const cabinet = useCabinet(id);
  if (cabinet.isPending) return <Loading />;
  if (cabinet.isError) {
    return (
      <div className="narrow">
        <PageHeading title="Кабинет не найден">Кабинет не найден</PageHeading>
        <RequestError error={cabinet.error} />
        <p>
          <Link to="/organizations">К выбору организации</Link>
        </p>
      </div>
    );
  }
  const detail = cabinet.data;
  return (
    <>
      <PageHeading title={detail.name}>{detail.name}</PageHeading>
      <p className="caption">
        {CABINET_KIND_LABELS[detail.kind]}
        {detail.status === "closed" ? " (закрыт)" : ""}
      </p>
      <CabinetDetails detail={detail} />
      {detail.kind === "editorial" && detail.canReview ? (
        <section aria-labelledby="cabinet-queue-heading">
          <h2 id="cabinet-queue-heading" className="section-title">
            Заявки на рассмотрение
          </h2>
          <ReviewQueue
            editorialCabinetId={detail.id}
            headingId="cabinet-queue-heading"
          />
        </section>
      ) : null}
      {detail.kind === "editorial" ? <BoundCabinets id={detail.id} /> : null}
      <h2 className="section-title">История создания кабинета</h2>
      {detail.application ? (
        <>
          <p className="hint">Заявка № {detail.application.reference}</p>
          <History events={detail.history} />
        </>
      ) : (
        <p className="hint">
          Кабинет создан без заявки в этом сервисе (перенесён или загружен
          оператором).
        </p>
      )}
    </>
  );
}

function CabinetDetails({ detail }: { detail: CabinetDetail }) {
  return (
    <dl className="summary-list">
      <dt>Название кабинета</dt>
      <dd>{detail.name}</dd>
      <dt>Организация</dt>
      <dd>{detail.organization.fullName}</dd>
      <dt>ОГРН</dt>
      <dd>{detail.organization.ogrn}</dd>
      <dt>Регион</dt>
      <dd>{detail.region.name}</dd>
      <dt>Тип кабинета</dt>
      <dd>{detail.type.name}</dd>
      {detail.kind === "work" ? (
        <>
          <dt>Редакция</dt>
          <dd>
            {detail.editorialCabinet?.visible ? (
              <Link to={`/cabinets/${detail.editorialCabinet.id}`}>
                {detail.editorialCabinet.name}
              </Link>
            ) : (
              (detail.editorialCabinet?.name ?? "—")
            )}
          </dd>
        </>
      ) : null}
      <dt>Сферы</dt>
      <dd>{detail.spheres.map((sphere) => sphere.name).join(", ")}</dd>
      <dt>Электронная почта</dt>
      <dd>{detail.email}</dd>
      <dt>Дата создания</dt>
      <dd>{formatDate(detail.createdAt)}</dd>
    </dl>
  );
}

function BoundCabinets({ id }: { id: string }) {
  const bound = useBoundCabinets(id, true);
  const items = bound.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section aria-labelledby="bound-heading">
      <h2 id="bound-heading" className="section-title">
        Рабочие кабинеты редакции
      </h2>
      {bound.isPending ? <Loading>Загружаем кабинеты…</Loading> : null}
      {bound.isError ? <RequestError error={bound.error} /> : null}
      {bound.data && items.length === 0 ? (
        <p className="hint">
          К редакции ещё не привязан ни один рабочий кабинет.
        </p>
      ) : null}
      {items.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table" aria-labelledby="bound-heading">
            <thead>
              <tr>
                <th scope="col">Кабинет</th>
                <th scope="col">Организация</th>
                <th scope="col">Тип кабинета</th>
                <th scope="col">Создан</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td>
                    <Link to={`/cabinets/${item.id}`}>{item.name}</Link>
                    {item.status === "closed" ? (
                      <div className="data-table__meta">закрыт</div>
                    ) : null}
                  </td>
                  <td>
                    {item.organizationName}
                    <div className="data-table__meta">ОГРН: {item.ogrn}</div>
                  </td>
                  <td>{item.typeName}</td>
                  <td>{formatDate(item.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {bound.hasNextPage ? (
        <p>
          <button
            type="button"
            className="button button--secondary"
            disabled={bound.isFetchingNextPage}
            onClick={() => void bound.fetchNextPage()}
          >
            Показать ещё
          </button>
        </p>
      ) : null}
    </section>
  );
}
