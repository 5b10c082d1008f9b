import { Link } from "react-router-dom";
import { PageHeading } from "../../components/page-heading";
import { Loading, RequestError } from "../../components/query-state";
import { useReviewAccess, type ReviewAccess } from "./api";
import { ReviewQueue } from "./review-queue";

function scopeText(access: ReviewAccess): string {
  const parts: string[] = [];
  if (access.operatorRegions === "all") {
    parts.push("все заявки как оператор платформы");
  } else if (access.operatorRegions) {
    parts.push(
      `заявки регионов ${access.operatorRegions.join(", ")} как оператор платформы`,
    );
  }
  if (access.editorialCabinets.length > 0) {
    const names = access.editorialCabinets
      .map((cabinet) => `«${cabinet.name}»`)
      .join(", ");
    parts.push(
      `заявки, направленные в ${access.editorialCabinets.length > 1 ? "кабинеты редакции" : "кабинет редакции"} ${names}`,
    );
  }
  return `Вы рассматриваете ${parts.join(" и ")}.`;
}

/**
 * `/review`: every application the person may review, for platform
 * operators and employees with access to an editorial cabinet.
 */
export function ReviewQueuePage() {
  const access = useReviewAccess();
  const title = "Заявки на рассмотрение";
  if (access.isPending) return <Loading />;
  if (access.isError) return <RequestError error={access.error} />;
  const { data } = access;
  const reviews =
    data.operatorRegions !== null || data.editorialCabinets.length > 0;
  return (
    <>
      <PageHeading title={title}>
        <span id="review-queue-heading">{title}</span>
      </PageHeading>
      {reviews ? (
        <>
          <p className="caption">{scopeText(data)}</p>
          {data.editorialCabinets.length > 0 ? (
            <ul>
              {data.editorialCabinets.map((cabinet) => (
                <li key={cabinet.id}>
                  <Link to={`/cabinets/${cabinet.id}`}>
                    Кабинет редакции «{cabinet.name}»
                  </Link>
                </li>
              ))}
            </ul>
          ) : null}
          <ReviewQueue headingId="review-queue-heading" />
        </>
      ) : (
        <div className="notice" role="status">
          <p>
            Рассматривать заявки могут сотрудники организации с кабинетом
            редакции, состоящие в группе доступа «ПОС. Госпаблики. Кабинет
            редакции», и операторы платформы.
          </p>
          <p>
            <Link to="/organizations">К выбору организации</Link>
          </p>
        </div>
      )}
    </>
  );
}
