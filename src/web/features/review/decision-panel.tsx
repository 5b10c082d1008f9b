import { zodResolver } from "@hookform/resolvers/zod";
import { useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { Link } from "react-router-dom";
import { z } from "zod";
import {
  REASON_MAX_LENGTH,
  rejectionReasonSchema,
} from "../../../domain/application-form";
import { ApiError } from "../../api/client";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { ErrorSummary } from "../../components/error-summary";
import { useDecision, type ReviewDetail } from "./api";

const reasonFormSchema = z.object({ reason: rejectionReasonSchema });
type ReasonInput = z.input<typeof reasonFormSchema>;
type ReasonOutput = z.output<typeof reasonFormSchema>;

const REASON_ID = "rejection-reason";

const pluralRules = new Intl.PluralRules("ru-RU");
const CHARACTER_FORMS: Record<string, string> = {
  one: "символ",
  few: "символа",
  many: "символов",
  other: "символа",
};

/** Formats a number of characters with the Russian plural: 1 символ, 2 символа, 5 символов. */
function characters(count: number): string {
  return `${count} ${CHARACTER_FORMS[pluralRules.select(count)]}`;
}

/** Renders the outcome after this person's own decision. */
export function DecisionOutcome({ detail }: { detail: ReviewDetail }) {
  const { application } = detail;
  if (application.state === "approved") {
    return (
      <div className="panel" role="status">
        <h2 className="panel__title">Заявка одобрена</h2>
        <p>
          Кабинет создан. Заявителю отправлено письмо на адрес{" "}
          {detail.revisions.at(-1)?.fields.email}.
        </p>
        {application.cabinetId ? (
          <p>
            <Link to={`/cabinets/${application.cabinetId}`}>
              Открыть кабинет
            </Link>
          </p>
        ) : null}
      </div>
    );
  }
  return (
    <div className="panel" role="status">
      <h2 className="panel__title">Заявка отклонена</h2>
      <p>
        Причина отправлена заявителю на адрес{" "}
        {detail.revisions.at(-1)?.fields.email}. Заявитель может исправить
        заявку и снова направить её на рассмотрение.
      </p>
    </div>
  );
}

/**
 * Renders «Одобрить» and «Отклонить» for the current revision. Approval needs a
 * confirmation; a rejection needs a reason of at most 2000 characters. A
 * conflict (someone decided first, or the applicant changed the application)
 * is shown with a way to reload the application.
 */
export function DecisionPanel({
  detail,
  onDecided,
  onReload,
}: {
  detail: ReviewDetail;
  onDecided: () => void;
  onReload: () => void;
}) {
  const { application } = detail;
  const decision = useDecision(application.id);
  const [confirmApprove, setConfirmApprove] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const {
    register,
    handleSubmit,
    watch,
    formState: { errors, submitCount },
  } = useForm<ReasonInput, unknown, ReasonOutput>({
    resolver: zodResolver(reasonFormSchema),
    defaultValues: { reason: "" },
    shouldFocusError: false,
  });
  const reasonLength = (watch("reason") ?? "").trim().length;
  const failure = decision.error instanceof ApiError ? decision.error : null;
  const conflict = failure?.status === 409;

  const focusSummary = () => setTimeout(() => summaryRef.current?.focus(), 0);

  const approve = async () => {
    setConfirmApprove(false);
    try {
      await decision.mutateAsync({
        decision: "approve",
        revision: application.revision,
      });
      onDecided();
    } catch {
      focusSummary();
    }
  };

  const reject = handleSubmit(
    async ({ reason }) => {
      try {
        await decision.mutateAsync({
          decision: "reject",
          revision: application.revision,
          reason,
        });
        onDecided();
      } catch {
        focusSummary();
      }
    },
    () => focusSummary(),
  );

  const reasonError =
    errors.reason?.message ??
    failure?.details.find((detail) => detail.path === "reason")?.message;
  const summaryItems = [
    ...(failure && !failure.details.some((item) => item.path === "reason")
      ? [{ message: failure.message }]
      : []),
    ...(reasonError ? [{ fieldId: REASON_ID, message: reasonError }] : []),
  ];

  return (
    <section className="decision-panel" aria-labelledby="decision-title">
      <h2 id="decision-title" className="decision-panel__title">
        Решение по заявке
      </h2>
      <p className="hint">
        Решение относится к редакции {application.revision}, которую вы видите
        на этой странице.
      </p>
      {(submitCount > 0 || failure) && summaryItems.length > 0 ? (
        <ErrorSummary
          ref={summaryRef}
          items={summaryItems}
          title={conflict ? "Решение не принято" : "Исправьте ошибки"}
        />
      ) : null}
      {conflict ? (
        <p>
          <button
            type="button"
            className="button button--secondary"
            onClick={() => {
              decision.reset();
              onReload();
            }}
          >
            Обновить заявку
          </button>
        </p>
      ) : null}
      {rejecting ? (
        <form onSubmit={(event) => void reject(event)} noValidate>
          <div
            className={`form-group${reasonError ? " form-group--error" : ""}`}
          >
            <label htmlFor={REASON_ID} className="label">
              Причина отклонения
            </label>
            <p id={`${REASON_ID}-hint`} className="hint">
              Заявитель увидит причину в письме и на странице заявки. Напишите,
              что исправить.
            </p>
            {reasonError ? (
              <p id={`${REASON_ID}-error`} className="field-error">
                <span className="visually-hidden">Ошибка: </span>
                {reasonError}
              </p>
            ) : null}
            <textarea
              id={REASON_ID}
              className={`textarea${reasonError ? " input--error" : ""}`}
              rows={5}
              aria-invalid={reasonError ? true : undefined}
              aria-describedby={[
                `${REASON_ID}-hint`,
                `${REASON_ID}-count`,
                reasonError ? `${REASON_ID}-error` : "",
              ]
                .filter(Boolean)
                .join(" ")}
              {...register("reason")}
            />
            <p
              id={`${REASON_ID}-count`}
              className={`character-count${reasonLength > REASON_MAX_LENGTH ? " character-count--over" : ""}`}
              aria-live="polite"
            >
              {reasonLength > REASON_MAX_LENGTH
                ? `Превышено на ${characters(reasonLength - REASON_MAX_LENGTH)}`
                : `Осталось ${characters(REASON_MAX_LENGTH - reasonLength)} из ${REASON_MAX_LENGTH}`}
            </p>
          </div>
          <div className="button-row">
            <button
              type="submit"
              className="button button--warning"
              disabled={decision.isPending}
            >
              Отклонить заявку
            </button>
            <button
              type="button"
              className="button button--secondary"
              onClick={() => setRejecting(false)}
            >
              Отмена
            </button>
          </div>
        </form>
      ) : (
        <div className="button-row">
          <button
            type="button"
            className="button"
            disabled={decision.isPending}
            onClick={() => setConfirmApprove(true)}
          >
            Одобрить
          </button>
          <button
            type="button"
            className="button button--warning"
            disabled={decision.isPending}
            onClick={() => {
              decision.reset();
              setRejecting(true);
              setTimeout(() => document.getElementById(REASON_ID)?.focus(), 0);
            }}
          >
            Отклонить
          </button>
        </div>
      )}
      <ConfirmDialog
        open={confirmApprove}
        title="Одобрить заявку?"
        message={`Будет создан ${application.kind === "editorial" ? "кабинет редакции" : "рабочий кабинет"} «${detail.revisions.at(-1)?.fields.name ?? ""}». Заявителю придёт письмо.`}
        confirmLabel="Одобрить"
        onConfirm={() => void approve()}
        onCancel={() => setConfirmApprove(false)}
      />
    </section>
  );
}
