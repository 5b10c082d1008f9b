import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import { PageHeading } from "../../components/page-heading";
import { Loading, RequestError } from "../../components/query-state";
import { useReviewApplication, type ReviewDetail } from "./api";
import { DecisionOutcome, DecisionPanel } from "./decision-panel";
import { History } from "./history";
import { CABINET_KIND_LABELS, formatDateTime, stateLabel } from "./labels";
import "./review.css";

function fullName(person: ReviewDetail["applicant"]): string {
  return [person.lastName, person.firstName, person.middleName]
    .filter(Boolean)
    .join(" ");
}

/**
 * Renders `/review/:id`, an application as shown to a reviewer: the organization, the
 * applicant's contacts, the current revision, the decision, then every
 * revision with its changes, the decisions and the history.
 */
export function ReviewApplicationPage() {
  const { id = "" } = useParams();
  const review = useReviewApplication(id);
  const [decided, setDecided] = useState(false);

  if (review.isPending) return <Loading />;
  if (review.isError) {
    return (
      <div className="narrow">
        <PageHeading title="Заявка не найдена">Заявка не найдена</PageHeading>
        <RequestError error={review.error} />
        <p>
          <Link to="/review">К заявкам на рассмотрение</Link>
        </p>
      </div>
    );
  }
  const detail = review.data;
  const { application, organization, applicant } = detail;
  const current = detail.revisions.at(-1);
  const title = `Заявка № ${application.reference}`;

  return (
    <>
      <p>
        <Link to="/review">← К заявкам на рассмотрение</Link>
      </p>
      <PageHeading title={title}>{title}</PageHeading>
      <p className="caption">
        {CABINET_KIND_LABELS[application.kind]}, статус:{" "}
        <span className={`badge badge--${application.state}`}>
          {stateLabel(application.state)}
        </span>
        . Поступила {formatDateTime(application.queuedAt)}
        {application.revision > 1 ? `, редакция ${application.revision}` : ""}
      </p>

      {decided ? <DecisionOutcome detail={detail} /> : null}

      <h2 className="section-title">Организация</h2>
      <dl className="summary-list">
        <dt>Название</dt>
        <dd>{organization.fullName}</dd>
        <dt>Краткое название</dt>
        <dd>{organization.shortName}</dd>
        <dt>ОГРН</dt>
        <dd>{organization.ogrn}</dd>
      </dl>

      <h2 className="section-title">Заявитель</h2>
      <dl className="summary-list">
        <dt>ФИО</dt>
        <dd>{fullName(applicant)}</dd>
        <dt>Электронная почта</dt>
        <dd>
          {applicant.email ? (
            <a href={`mailto:${applicant.email}`}>{applicant.email}</a>
          ) : (
            "не указана в ЕСИА"
          )}
        </dd>
        <dt>Телефон</dt>
        <dd>
          {applicant.mobile ? (
            <a href={`tel:${applicant.mobile.replace(/[^+\d]/g, "")}`}>
              {applicant.mobile}
            </a>
          ) : (
            "не указан в ЕСИА"
          )}
        </dd>
      </dl>

      {current ? (
        <>
          <h2 className="section-title">
            Параметры заявки (редакция {current.number})
          </h2>
          <RevisionFieldsList revision={current} kind={application.kind} />
        </>
      ) : null}

      {application.state === "rejected" && application.rejectionReason ? (
        <div className="notice notice--warning">
          <p>Заявка отклонена по причине:</p>
          <p className="quote">{application.rejectionReason}</p>
        </div>
      ) : null}

      {detail.canDecide ? (
        <DecisionPanel
          detail={detail}
          onDecided={() => setDecided(true)}
          onReload={() => void review.refetch()}
        />
      ) : !decided && detail.cannotDecideReason ? (
        <div className="notice" role="status">
          <p>{detail.cannotDecideReason}</p>
        </div>
      ) : null}

      <h2 className="section-title">Редакции заявки</h2>
      {[...detail.revisions].reverse().map((revision) => (
        <section
          key={revision.number}
          className="revision"
          aria-labelledby={`revision-${revision.number}`}
        >
          <h3 id={`revision-${revision.number}`} className="revision__title">
            Редакция {revision.number}
          </h3>
          <p className="hint">
            {formatDateTime(revision.submittedAt)}, подал(а){" "}
            {revision.submittedBy.name}
          </p>
          {revision.changes.length > 0 ? (
            <table className="data-table">
              <caption className="visually-hidden">
                Что изменилось по сравнению с редакцией {revision.number - 1}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Поле</th>
                  <th scope="col">Было</th>
                  <th scope="col">Стало</th>
                </tr>
              </thead>
              <tbody>
                {revision.changes.map((change) => (
                  <tr key={change.field}>
                    <th scope="row">{change.label}</th>
                    <td>{change.before}</td>
                    <td>{change.after}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : revision.number === 1 ? (
            <p>Первая редакция заявки.</p>
          ) : (
            <p>Поля не изменились.</p>
          )}
        </section>
      ))}

      <h2 className="section-title">Решения</h2>
      {detail.decisions.length === 0 ? (
        <p className="hint">Решений по заявке ещё нет.</p>
      ) : (
        <ul className="timeline">
          {detail.decisions.map((decision) => (
            <li key={decision.revision} className="timeline__item">
              <div className="timeline__title">
                {decision.decision === "approved" ? "Одобрена" : "Отклонена"},
                редакция {decision.revision}
              </div>
              <div className="timeline__meta">
                {formatDateTime(decision.decidedAt)}, {decision.decidedBy.name}
              </div>
              {decision.reason ? (
                <p className="quote">Причина: {decision.reason}</p>
              ) : null}
            </li>
          ))}
        </ul>
      )}

      <h2 className="section-title">История</h2>
      <History events={detail.history} />
    </>
  );
}

function RevisionFieldsList({
  revision,
  kind,
}: {
  revision: ReviewDetail["revisions"][number];
  kind: ReviewDetail["application"]["kind"];
}) {
  const { fields } = revision;
  return (
    <dl className="summary-list">
      <dt>Название кабинета</dt>
      <dd>{fields.name}</dd>
      <dt>Регион</dt>
      <dd>{fields.region.name}</dd>
      <dt>Тип кабинета</dt>
      <dd>{fields.type.name}</dd>
      {kind === "work" ? (
        <>
          <dt>Редакция</dt>
          <dd>{fields.editorialCabinet?.name ?? "—"}</dd>
        </>
      ) : null}
      <dt>Сферы</dt>
      <dd>{fields.spheres.map((sphere) => sphere.name).join(", ")}</dd>
      <dt>Электронная почта</dt>
      <dd>{fields.email}</dd>
    </dl>
  );
}
