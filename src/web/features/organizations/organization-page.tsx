import { useRef, useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";
import {
  useOrganizations,
  type OrganizationChoice,
  type Problem,
} from "../../api/applicant";
import { useSignOut } from "../../api/session";
import { ErrorSummary } from "../../components/error-summary";
import { PageHeading } from "../../components/page-heading";
import { Loading, RequestError } from "../../components/query-state";

/** Every failed condition of both kinds, each message once. */
function unavailableReasons(organization: OrganizationChoice): Problem[] {
  const seen = new Set<string>();
  const reasons: Problem[] = [];
  for (const status of [
    organization.kinds.work,
    organization.kinds.editorial,
  ]) {
    for (const problem of status.problems) {
      if (seen.has(problem.message)) continue;
      seen.add(problem.message);
      reasons.push(problem);
    }
  }
  return reasons;
}

/**
 * «Выберите организацию:»: the person's organizations by ESIA. Those where
 * the person can neither apply nor enter a cabinet are listed disabled, with
 * every reason.
 */
export function OrganizationPage() {
  const organizations = useOrganizations();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const [chosen, setChosen] = useState<string | null>(null);
  const [showError, setShowError] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  if (organizations.isPending) return <Loading />;
  if (organizations.isError)
    return <RequestError error={organizations.error} />;
  const list = organizations.data.organizations;
  const available = list.filter((organization) => organization.available);
  const selected =
    chosen ?? (available.length === 1 ? available[0]!.oid : null);
  const firstEnabledId = available[0]
    ? `organization-${available[0].oid}`
    : undefined;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!selected) {
      setShowError(true);
      // Focus after the summary renders.
      setTimeout(() => summaryRef.current?.focus(), 0);
      return;
    }
    navigate(`/organizations/${selected}`);
  };

  return (
    <form className="narrow" onSubmit={onSubmit} noValidate>
      <PageHeading title="Выберите организацию">Выбор организации</PageHeading>
      {showError && !selected ? (
        <ErrorSummary
          ref={summaryRef}
          items={[
            {
              fieldId: firstEnabledId,
              message: "Выберите организацию, от которой создаётся кабинет",
            },
          ]}
        />
      ) : null}
      {list.length > 0 && available.length === 0 ? (
        <div className="notice notice--warning">
          <p>
            Ни от одной из ваших организаций создать кабинет или войти в него
            сейчас нельзя. Причины указаны у каждой организации.
          </p>
        </div>
      ) : null}
      {list.length === 0 ? (
        <div className="notice notice--warning">
          <p>
            По данным ЕСИА вы не прикреплены ни к одной организации. Кабинет
            может создать сотрудник, прикреплённый к профилю организации на
            Госуслугах: попросите администратора профиля организации добавить
            вас в сотрудники.
          </p>
        </div>
      ) : (
        <fieldset
          className="choice-group"
          aria-describedby={
            showError && !selected ? "organization-error" : undefined
          }
        >
          <legend className="choice-group__legend">
            Выберите организацию:
          </legend>
          {showError && !selected ? (
            <p id="organization-error" className="field-error">
              Выберите организацию, от которой создаётся кабинет
            </p>
          ) : null}
          {list.map((organization) => {
            const id = `organization-${organization.oid}`;
            const reasons = organization.available
              ? []
              : unavailableReasons(organization);
            return (
              <div
                key={organization.oid}
                className={`choice${organization.available ? "" : " choice--disabled"}`}
              >
                <input
                  type="radio"
                  id={id}
                  name="organization"
                  value={organization.oid}
                  checked={selected === organization.oid}
                  disabled={!organization.available}
                  onChange={() => setChosen(organization.oid)}
                  aria-describedby={`${id}-ogrn${reasons.length ? ` ${id}-reasons` : ""}`}
                />
                <label htmlFor={id} className="choice__label">
                  <span className="choice__title">{organization.fullName}</span>
                  <span id={`${id}-ogrn`} className="choice__hint">
                    ОГРН: {organization.ogrn}
                  </span>
                </label>
                {reasons.length > 0 ? (
                  <div id={`${id}-reasons`} className="choice__reasons">
                    <p>Создать кабинет от этой организации нельзя:</p>
                    <ul>
                      {reasons.map((reason) => (
                        <li key={reason.message}>{reason.message}</li>
                      ))}
                    </ul>
                  </div>
                ) : null}
              </div>
            );
          })}
        </fieldset>
      )}
      <div className="button-row">
        <button
          type="button"
          className="button button--secondary"
          onClick={() => void signOut()}
        >
          НАЗАД
        </button>
        {available.length > 0 ? (
          <button type="submit" className="button">
            ДАЛЕЕ
          </button>
        ) : null}
      </div>
    </form>
  );
}
