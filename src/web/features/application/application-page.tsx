import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation, useParams } from "react-router-dom";
import {
  applicantKeys,
  useApplication,
  useDictionaries,
  type ApplicationDetail,
  type Dictionaries,
} from "../../api/applicant";
import { apiPost, ApiError } from "../../api/client";
import { useSignOut } from "../../api/session";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { PageHeading } from "../../components/page-heading";
import { Loading, RequestError } from "../../components/query-state";
import { ApplicationForm, formTitle, ReadonlyField } from "./application-form";
import { FIELD_IDS, initialValues } from "./form-values";

type Confirmation = "submitted" | "resubmitted" | "withdrawn";

const dateFormat = new Intl.DateTimeFormat("ru-RU", {
  day: "numeric",
  month: "long",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/**
 * `/applications/:id`: the application in its current state. Submitted: the
 * form read-only under the yellow banner. Rejected: the reason and the
 * editable form that resubmits. Approved: the way into the cabinet.
 * Withdrawn: the offer to apply again.
 */
export function ApplicationPage() {
  const { id = "" } = useParams();
  const location = useLocation();
  const application = useApplication(id);
  const dictionaries = useDictionaries();
  const queryClient = useQueryClient();
  const [confirmation, setConfirmation] = useState<Confirmation | null>(
    (location.state as { confirmation?: Confirmation } | null)?.confirmation ??
      null,
  );

  if (application.isPending || dictionaries.isPending) return <Loading />;
  if (application.isError) {
    return (
      <div className="narrow">
        <PageHeading title="Заявка не найдена">Заявка не найдена</PageHeading>
        <RequestError error={application.error} />
        <Link to="/organizations">К выбору организации</Link>
      </div>
    );
  }
  if (dictionaries.isError) return <RequestError error={dictionaries.error} />;
  const detail = application.data;
  const title = formTitle(detail.kind);

  return (
    <div className="narrow">
      <PageHeading title={title}>{title}</PageHeading>
      <p className="caption">
        {detail.organization.fullName}, ОГРН: {detail.organization.ogrn}
        <br />
        Заявка № {detail.reference}, подана{" "}
        {dateFormat.format(new Date(detail.createdAt))}
        {detail.revision > 1 ? `, редакция ${detail.revision}` : ""}
      </p>
      {confirmation && confirmationStillTrue(confirmation, detail) ? (
        <ConfirmationPanel kind={confirmation} detail={detail} />
      ) : null}
      <StateBanner detail={detail} />
      {detail.state === "rejected" && detail.actions.resubmit ? (
        <ApplicationForm
          key={detail.revision}
          kind={detail.kind}
          organizationOid={detail.organization.oid}
          dictionaries={dictionaries.data}
          initial={initialValues(
            {
              name: detail.name,
              region: detail.region,
              type: detail.type,
              editorialCabinetId: detail.editorialCabinet?.id ?? null,
              spheres: detail.spheres,
              email: detail.email,
            },
            detail.kind === "work" ? detail.ownEditorialCabinet : null,
          )}
          initialEditorial={detail.editorialCabinet}
          locked={detail.kind === "work" ? detail.ownEditorialCabinet : null}
          onSubmit={async (values) => {
            await resubmit(detail, values);
            setConfirmation("resubmitted");
          }}
        />
      ) : (
        <ReadonlyApplication detail={detail} dictionaries={dictionaries.data} />
      )}
      <WithdrawAction
        detail={detail}
        onWithdrawn={() => setConfirmation("withdrawn")}
      />
    </div>
  );

  async function resubmit(
    current: ApplicationDetail,
    values: Record<string, unknown>,
  ) {
    const updated = await apiPost<ApplicationDetail>(
      `/api/applications/${current.id}/resubmit`,
      {
        ...values,
        editorialCabinetId:
          current.kind === "work" ? values.editorialCabinetId : null,
        expectedRevision: current.revision,
      },
    );
    queryClient.setQueryData(applicantKeys.application(current.id), updated);
    await queryClient.invalidateQueries({
      queryKey: applicantKeys.organizations,
    });
  }
}

/**
 * Whether the confirmation still describes the application: once a reviewer
 * decides, the page shows the decision instead of «отправлена».
 */
function confirmationStillTrue(
  kind: Confirmation,
  detail: ApplicationDetail,
): boolean {
  return kind === "withdrawn"
    ? detail.state === "withdrawn"
    : detail.state === "submitted";
}

/** The GOV.UK-style confirmation with the reference number. */
function ConfirmationPanel({
  kind,
  detail,
}: {
  kind: Confirmation;
  detail: ApplicationDetail;
}) {
  const titles: Record<Confirmation, string> = {
    submitted: "Заявка отправлена на рассмотрение",
    resubmitted: "Исправленная заявка отправлена на рассмотрение",
    withdrawn: "Заявка отозвана",
  };
  return (
    <div className="panel" role="status">
      <h2 className="panel__title">{titles[kind]}</h2>
      <p className="panel__reference">
        Номер заявки: <strong>{detail.reference}</strong>
      </p>
      {kind === "withdrawn" ? null : (
        <p>
          Подтверждение отправлено на адрес {detail.email}. Туда же придёт
          результат рассмотрения.
        </p>
      )}
    </div>
  );
}

function StateBanner({ detail }: { detail: ApplicationDetail }) {
  switch (detail.state) {
    case "submitted":
      return (
        <div className="banner banner--pending">
          <p>Ваша заявка на подключение кабинета находится на рассмотрении</p>
        </div>
      );
    case "rejected":
      return (
        <div className="banner banner--rejected">
          <p>Ваша заявка на подключение кабинета отклонена по причине:</p>
          <p className="banner__reason">{detail.rejectionReason}</p>
          <p>Исправьте параметры заявки и снова верните на рассмотрение</p>
          {!detail.actions.resubmit && detail.problems.length > 0 ? (
            <>
              <p>Вернуть заявку на рассмотрение вы не можете:</p>
              <ul>
                {detail.problems.map((problem) => (
                  <li key={problem.code}>{problem.message}</li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      );
    case "approved":
      return (
        <div className="banner banner--approved">
          <p>Заявка одобрена: кабинет создан.</p>
          {detail.cabinetId ? (
            <p>
              <Link to={`/cabinets/${detail.cabinetId}`}>
                Перейти в кабинет
              </Link>
            </p>
          ) : null}
        </div>
      );
    case "withdrawn":
      return (
        <div className="banner banner--withdrawn">
          <p>Заявка отозвана и не рассматривается.</p>
          <p>
            <Link
              to={`/organizations/${detail.organization.oid}/${detail.kind}/new`}
            >
              Подать новую заявку
            </Link>
          </p>
        </div>
      );
  }
}

/** The fields as submitted, visible and not editable. */
function ReadonlyApplication({
  detail,
  dictionaries,
}: {
  detail: ApplicationDetail;
  dictionaries: Dictionaries;
}) {
  const signOut = useSignOut();
  const region = dictionaries.regions.find((r) => r.code === detail.region);
  const type = dictionaries.cabinetTypes.find((t) => t.code === detail.type);
  const spheres = detail.spheres.map(
    (code) => dictionaries.spheres.find((s) => s.code === code)?.name ?? code,
  );
  return (
    <div className="readonly-form">
      <ReadonlyField
        id={FIELD_IDS.name}
        label="Введите название кабинета"
        value={detail.name}
      />
      <ReadonlyField
        id={FIELD_IDS.region}
        label="Выберите регион"
        value={region?.name ?? detail.region}
      />
      <ReadonlyField
        id={FIELD_IDS.type}
        label="Выберите тип кабинета"
        value={type?.name ?? detail.type}
      />
      {detail.kind === "work" ? (
        <ReadonlyField
          id={FIELD_IDS.editorialCabinetId}
          label="Выберите редакцию"
          value={detail.editorialCabinet?.name ?? ""}
        />
      ) : null}
      <ReadonlyField
        id={FIELD_IDS.spheres}
        label="Выберите сферы"
        value={spheres.join(", ")}
      />
      <ReadonlyField
        id={FIELD_IDS.email}
        label="Введите электронную почту"
        value={detail.email}
      />
      <div className="button-row">
        <button
          type="button"
          className="button button--secondary"
          onClick={() => void signOut()}
        >
          НА ФОРМУ ВХОДА
        </button>
        <Link to="/organizations" className="button button--secondary">
          К выбору организации
        </Link>
      </div>
    </div>
  );
}

/** «Отозвать заявку» for an open application, after a confirmation. */
function WithdrawAction({
  detail,
  onWithdrawn,
}: {
  detail: ApplicationDetail;
  onWithdrawn: () => void;
}) {
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!detail.actions.withdraw) return null;

  const withdraw = async () => {
    setAsking(false);
    setError(null);
    try {
      const updated = await apiPost<ApplicationDetail>(
        `/api/applications/${detail.id}/withdraw`,
      );
      queryClient.setQueryData(applicantKeys.application(detail.id), updated);
      await queryClient.invalidateQueries({
        queryKey: applicantKeys.organizations,
      });
      onWithdrawn();
    } catch (caught) {
      setError(
        caught instanceof ApiError
          ? caught.message
          : "Не удалось отозвать заявку: повторите попытку.",
      );
    }
  };

  return (
    <section className="withdraw" aria-labelledby="withdraw-title">
      <h2 id="withdraw-title" className="section-title">
        Отзыв заявки
      </h2>
      <p>
        Отозванная заявка не рассматривается. После отзыва можно подать новую.
      </p>
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
      <button
        type="button"
        className="button button--warning"
        onClick={() => setAsking(true)}
      >
        Отозвать заявку
      </button>
      <ConfirmDialog
        open={asking}
        title="Отозвать заявку?"
        message={`Заявка № ${detail.reference} перестанет рассматриваться. Отменить отзыв нельзя.`}
        confirmLabel="Отозвать заявку"
        cancelLabel="Не отзывать"
        onCancel={() => setAsking(false)}
        onConfirm={() => void withdraw()}
      />
    </section>
  );
}
