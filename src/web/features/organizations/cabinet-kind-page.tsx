import { useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import {
  CABINET_KIND_LABELS,
  type CabinetKind,
} from "../../../domain/cabinets";
import { STATE_LABELS } from "../../../domain/states";
import { useOrganizations, type KindStatus } from "../../api/applicant";
import { ErrorSummary } from "../../components/error-summary";
import { PageHeading } from "../../components/page-heading";
import { Loading, RequestError } from "../../components/query-state";

const KINDS: CabinetKind[] = ["editorial", "work"];

/** What choosing the kind leads to, in words. */
function kindHint(status: KindStatus): string | null {
  if (status.next === "cabinet" && status.cabinet) {
    return `Кабинет «${status.cabinet.name}» уже создан: вы перейдёте в него.`;
  }
  if (status.next === "application" && status.application) {
    return `Заявка № ${status.application.reference} ${STATE_LABELS[status.application.state]}: вы перейдёте к ней.`;
  }
  if (status.next === "unavailable" && status.cabinet) {
    return `Кабинет «${status.cabinet.name}» уже создан, но войти в него нельзя:`;
  }
  if (status.next === "unavailable") return "Подать заявку нельзя:";
  return null;
}

/** Where the kind leads: the cabinet, the application or a new form. */
function target(
  organizationOid: string,
  kind: CabinetKind,
  status: KindStatus,
) {
  if (status.next === "cabinet" && status.cabinet)
    return `/cabinets/${status.cabinet.id}`;
  if (status.next === "application" && status.application) {
    return `/applications/${status.application.id}`;
  }
  return `/organizations/${organizationOid}/${kind}/new`;
}

/** «Выберите кабинет:»: «Кабинет редакции» or «Рабочий кабинет». */
export function CabinetKindPage() {
  const { organizationOid = "" } = useParams();
  const organizations = useOrganizations();
  const navigate = useNavigate();
  const [chosen, setChosen] = useState<CabinetKind | null>(null);
  const [showError, setShowError] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  if (organizations.isPending) return <Loading />;
  if (organizations.isError)
    return <RequestError error={organizations.error} />;
  const organization = organizations.data.organizations.find(
    (item) => item.oid === organizationOid,
  );
  if (!organization) {
    return (
      <div className="narrow">
        <PageHeading title="Организация не найдена">
          Организация не найдена
        </PageHeading>
        <p>
          Этой организации нет среди ваших организаций по данным ЕСИА.{" "}
          <Link to="/organizations">Выберите организацию из списка</Link>.
        </p>
      </div>
    );
  }
  const enabled = KINDS.filter(
    (kind) => organization.kinds[kind].next !== "unavailable",
  );
  const selected = chosen ?? (enabled.length === 1 ? enabled[0]! : null);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!selected) {
      setShowError(true);
      setTimeout(() => summaryRef.current?.focus(), 0);
      return;
    }
    const status = organization.kinds[selected];
    navigate(target(organization.oid, selected, status));
  };

  return (
    <form className="narrow" onSubmit={onSubmit} noValidate>
      <PageHeading title="Выберите кабинет">Выбор кабинета</PageHeading>
      <p className="caption">
        {organization.fullName}, ОГРН: {organization.ogrn}
      </p>
      {showError && !selected ? (
        <ErrorSummary
          ref={summaryRef}
          items={[
            {
              fieldId: enabled[0] ? `kind-${enabled[0]}` : undefined,
              message:
                "Выберите кабинет: «Кабинет редакции» или «Рабочий кабинет»",
            },
          ]}
        />
      ) : null}
      <fieldset className="choice-group">
        <legend className="choice-group__legend">Выберите кабинет:</legend>
        {KINDS.map((kind) => {
          const status = organization.kinds[kind];
          const id = `kind-${kind}`;
          const hint = kindHint(status);
          const disabled = status.next === "unavailable";
          return (
            <div
              key={kind}
              className={`choice${disabled ? " choice--disabled" : ""}`}
            >
              <input
                type="radio"
                id={id}
                name="kind"
                value={kind}
                checked={selected === kind}
                disabled={disabled}
                onChange={() => setChosen(kind)}
                aria-describedby={hint ? `${id}-hint` : undefined}
              />
              <label htmlFor={id} className="choice__label">
                <span className="choice__title">
                  {CABINET_KIND_LABELS[kind]}
                </span>
              </label>
              {hint ? (
                <div
                  id={`${id}-hint`}
                  className={disabled ? "choice__reasons" : "choice__hint"}
                >
                  <p>{hint}</p>
                  {disabled ? (
                    <ul>
                      {status.problems.map((problem) => (
                        <li key={problem.code}>{problem.message}</li>
                      ))}
                    </ul>
                  ) : null}
                </div>
              ) : null}
            </div>
          );
        })}
      </fieldset>
      <div className="button-row">
        <button
          type="button"
          className="button button--secondary"
          onClick={() => navigate("/organizations")}
        >
          НАЗАД
        </button>
        <button type="submit" className="button">
          ДАЛЕЕ
        </button>
      </div>
    </form>
  );
}
