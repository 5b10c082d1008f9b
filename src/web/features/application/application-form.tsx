import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useRef, useState } from "react";
import { useForm, type FieldErrors } from "react-hook-form";
import {
  NAME_MAX_LENGTH,
  NAME_MIN_LENGTH,
} from "../../../domain/application-form";
import type { CabinetKind } from "../../../domain/cabinets";
import type { Dictionaries, OwnEditorialCabinet } from "../../api/applicant";
import { ApiError } from "../../api/client";
import { useSignOut } from "../../api/session";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { ErrorSummary, type SummaryItem } from "../../components/error-summary";
import { EditorialCombobox, type EditorialChoice } from "./editorial-combobox";
import {
  FIELD_IDS,
  FIELD_ORDER,
  formSchema,
  lockedValues,
  splitProblems,
  type FieldName,
  type FormInput,
  type FormOutput,
  type FormValues,
} from "./form-values";

/** The first message of a field, including one on an array item (`spheres.0`). */
function fieldMessage(errors: FieldErrors<FormInput>, name: FieldName) {
  const error = errors[name] as
    { message?: string; [index: number]: { message?: string } } | undefined;
  if (!error) return undefined;
  if (error.message) return error.message;
  for (const item of Object.values(error)) {
    if (item && typeof item === "object" && "message" in item && item.message) {
      return String(item.message);
    }
  }
  return undefined;
}

const FORM_TITLES: Record<CabinetKind, string> = {
  work: "Форма заявки на создание рабочего кабинета",
  editorial: "Форма заявки на создание кабинета редакции",
};

export function formTitle(kind: CabinetKind): string {
  return FORM_TITLES[kind];
}

/**
 * The application form of the manual, for a new application and for the
 * correction of a rejected one. Validates with the shared Zod schema, shows
 * an error summary at the top that links to each field, maps the server's
 * field problems onto the fields, and confirms before «НА ФОРМУ ВХОДА» drops
 * unsaved input.
 */
export function ApplicationForm({
  kind,
  organizationOid,
  dictionaries,
  initial,
  initialEditorial,
  locked,
  onSubmit,
}: {
  kind: CabinetKind;
  organizationOid: string;
  dictionaries: Dictionaries;
  initial: FormValues;
  initialEditorial: EditorialChoice | null;
  /** The organization's own editorial cabinet, whose fields cannot change. */
  locked: OwnEditorialCabinet | null;
  /** Sends the application; throws ApiError with the server's problems. */
  onSubmit: (values: FormOutput) => Promise<void>;
}) {
  const {
    register,
    handleSubmit,
    setValue,
    setError,
    watch,
    formState: { errors, isDirty, isSubmitting, submitCount },
  } = useForm<FormInput, unknown, FormOutput>({
    resolver: zodResolver(formSchema(kind)),
    defaultValues: initial as FormInput,
    shouldFocusError: false,
  });
  const [editorial, setEditorial] = useState<EditorialChoice | null>(
    initialEditorial,
  );
  const [general, setGeneral] = useState<SummaryItem[]>([]);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const signOut = useSignOut();
  const dirty = isDirty || editorial?.id !== initialEditorial?.id;

  const region = watch("region");
  const type = watch("type");

  // A new region or type makes the chosen editorial cabinet unfit.
  const previous = useRef({ region, type });
  useEffect(() => {
    if (locked) return;
    const changed =
      previous.current.region !== region || previous.current.type !== type;
    previous.current = { region, type };
    if (changed) {
      setEditorial(null);
      setValue("editorialCabinetId", null);
    }
  }, [region, type, locked, setValue]);

  // The browser confirms before a reload or close drops unsaved input.
  useEffect(() => {
    if (!dirty || isSubmitting) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty, isSubmitting]);

  const focusSummary = () => setTimeout(() => summaryRef.current?.focus(), 0);

  const submit = handleSubmit(
    async (values) => {
      setGeneral([]);
      const fields = locked ? { ...values, ...lockedValues(locked) } : values;
      try {
        await onSubmit(fields as FormOutput);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const problems = splitProblems(error.details);
        for (const [name, message] of Object.entries(problems.fields)) {
          setError(name as FieldName, { type: "server", message });
        }
        // Without field problems, the error message describes the failure.
        // An ended session links to the sign-in page.
        const hasFields = Object.keys(problems.fields).length > 0;
        const items: SummaryItem[] = problems.general.map((message) => ({
          message,
        }));
        if (!hasFields) {
          items.push({
            message: error.message,
            href: error.status === 401 ? "/signin?app_name=ku" : undefined,
          });
        }
        setGeneral(items);
        focusSummary();
      }
    },
    () => {
      setGeneral([]);
      focusSummary();
    },
  );

  const summary: SummaryItem[] = [
    ...general,
    ...FIELD_ORDER.flatMap((name) => {
      const message = fieldMessage(errors, name);
      return message ? [{ fieldId: FIELD_IDS[name], message }] : [];
    }),
  ];

  const regionName = dictionaries.regions.find((r) => r.code === region)?.name;
  const types = dictionaries.cabinetTypes.filter((t) => t.kinds.includes(kind));
  const typeName = dictionaries.cabinetTypes.find((t) => t.code === type)?.name;
  const lockedHint = locked
    ? `Заполнено по кабинету редакции «${locked.name}» вашей организации: изменить нельзя.`
    : "";

  const describedBy = (name: FieldName, ...extra: string[]) =>
    [...extra, fieldMessage(errors, name) ? `${FIELD_IDS[name]}-error` : ""]
      .filter(Boolean)
      .join(" ") || undefined;
  const inlineError = (name: FieldName) => {
    const message = fieldMessage(errors, name);
    return message ? (
      <p id={`${FIELD_IDS[name]}-error`} className="field-error">
        <span className="visually-hidden">Ошибка: </span>
        {message}
      </p>
    ) : null;
  };
  const groupClass = (name: FieldName) =>
    `form-group${fieldMessage(errors, name) ? " form-group--error" : ""}`;

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      {submitCount > 0 || general.length > 0 ? (
        <ErrorSummary ref={summaryRef} items={summary} />
      ) : null}

      <div className={groupClass("name")}>
        <label htmlFor={FIELD_IDS.name} className="label">
          Введите название кабинета
        </label>
        <p id="field-name-hint" className="hint">
          От {NAME_MIN_LENGTH} до {NAME_MAX_LENGTH} символов
        </p>
        {inlineError("name")}
        <input
          id={FIELD_IDS.name}
          type="text"
          className={`input${errors.name ? " input--error" : ""}`}
          placeholder="Название кабинета"
          autoComplete="off"
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={describedBy("name", "field-name-hint")}
          {...register("name")}
        />
      </div>

      {locked ? (
        <LockedFields
          locked={locked}
          hint={lockedHint}
          dictionaries={dictionaries}
        />
      ) : (
        <>
          <div className={groupClass("region")}>
            <label htmlFor={FIELD_IDS.region} className="label">
              Выберите регион
            </label>
            {inlineError("region")}
            <select
              id={FIELD_IDS.region}
              className={`select${errors.region ? " input--error" : ""}`}
              aria-invalid={errors.region ? true : undefined}
              aria-describedby={describedBy("region")}
              {...register("region")}
            >
              <option value="">Выбрать...</option>
              {dictionaries.regions.map((option) => (
                <option key={option.code} value={option.code}>
                  {option.name}
                </option>
              ))}
            </select>
          </div>

          <div className={groupClass("type")}>
            <label htmlFor={FIELD_IDS.type} className="label">
              Выберите тип кабинета
            </label>
            {inlineError("type")}
            <select
              id={FIELD_IDS.type}
              className={`select${errors.type ? " input--error" : ""}`}
              aria-invalid={errors.type ? true : undefined}
              aria-describedby={describedBy("type")}
              {...register("type")}
            >
              <option value="">Выбрать...</option>
              {types.map((option) => (
                <option key={option.code} value={option.code}>
                  {option.name}
                </option>
              ))}
            </select>
          </div>

          {kind === "work" ? (
            <div className={groupClass("editorialCabinetId")}>
              <label htmlFor={FIELD_IDS.editorialCabinetId} className="label">
                Выберите редакцию
              </label>
              <p id="field-editorial-hint" className="hint">
                Кабинет редакции органа, в ведении которого находится ваша
                организация
              </p>
              {inlineError("editorialCabinetId")}
              <EditorialCombobox
                id={FIELD_IDS.editorialCabinetId}
                organizationOid={organizationOid}
                region={region ?? ""}
                regionName={regionName}
                type={type ?? ""}
                typeName={typeName}
                value={editorial}
                invalid={Boolean(errors.editorialCabinetId)}
                describedBy={describedBy(
                  "editorialCabinetId",
                  "field-editorial-hint",
                )}
                onChange={(choice) => {
                  setEditorial(choice);
                  setValue("editorialCabinetId", choice?.id ?? null, {
                    shouldDirty: true,
                    shouldValidate: submitCount > 0,
                  });
                }}
                onBlur={() => undefined}
              />
            </div>
          ) : null}

          <fieldset
            className={groupClass("spheres")}
            aria-describedby={describedBy("spheres", "field-spheres-hint")}
          >
            <legend className="label">Выберите сферы</legend>
            <p id="field-spheres-hint" className="hint">
              Можно выбрать несколько
            </p>
            {inlineError("spheres")}
            <div className="checkboxes">
              {dictionaries.spheres.map((sphere, index) => (
                <div className="checkbox" key={sphere.code}>
                  <input
                    type="checkbox"
                    id={
                      index === 0 ? FIELD_IDS.spheres : `sphere-${sphere.code}`
                    }
                    value={sphere.code}
                    {...register("spheres")}
                  />
                  <label
                    htmlFor={
                      index === 0 ? FIELD_IDS.spheres : `sphere-${sphere.code}`
                    }
                  >
                    {sphere.name}
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
        </>
      )}

      <div className={groupClass("email")}>
        <label htmlFor={FIELD_IDS.email} className="label">
          Введите электронную почту
        </label>
        <p id="field-email-hint" className="hint">
          На этот адрес придёт результат рассмотрения заявки
        </p>
        {inlineError("email")}
        <input
          id={FIELD_IDS.email}
          type="text"
          inputMode="email"
          autoComplete="email"
          spellCheck={false}
          className={`input${errors.email ? " input--error" : ""}`}
          placeholder="Электронная почта"
          aria-invalid={errors.email ? true : undefined}
          aria-describedby={describedBy("email", "field-email-hint")}
          {...register("email")}
        />
      </div>

      <div className="button-row">
        <button
          type="button"
          className="button button--secondary"
          onClick={() => (dirty ? setConfirmLeave(true) : void signOut())}
        >
          НА ФОРМУ ВХОДА
        </button>
        <button type="submit" className="button" disabled={isSubmitting}>
          СОЗДАТЬ КАБИНЕТ
        </button>
      </div>
      {isSubmitting ? (
        <p role="status" className="hint">
          Отправляем заявку…
        </p>
      ) : null}

      <ConfirmDialog
        open={confirmLeave}
        title="Перейти на форму входа?"
        message="Введённые данные заявки не сохранятся, а сеанс будет завершён."
        confirmLabel="Перейти и потерять данные"
        cancelLabel="Остаться на форме"
        onCancel={() => setConfirmLeave(false)}
        onConfirm={() => {
          setConfirmLeave(false);
          void signOut();
        }}
      />
    </form>
  );
}

/** Region, type, editorial cabinet and spheres taken from the own editorial cabinet. */
function LockedFields({
  locked,
  hint,
  dictionaries,
}: {
  locked: OwnEditorialCabinet;
  hint: string;
  dictionaries: Dictionaries;
}) {
  const region = dictionaries.regions.find((r) => r.code === locked.regionCode);
  const type = dictionaries.cabinetTypes.find(
    (t) => t.code === locked.typeCode,
  );
  const sphereNames = locked.spheres.map(
    (code) => dictionaries.spheres.find((s) => s.code === code)?.name ?? code,
  );
  return (
    <>
      <p id="locked-hint" className="notice">
        {hint}
      </p>
      <ReadonlyField
        id={FIELD_IDS.region}
        label="Выберите регион"
        value={region?.name ?? locked.regionCode}
        describedBy="locked-hint"
      />
      <ReadonlyField
        id={FIELD_IDS.type}
        label="Выберите тип кабинета"
        value={type?.name ?? locked.typeCode}
        describedBy="locked-hint"
      />
      <ReadonlyField
        id={FIELD_IDS.editorialCabinetId}
        label="Выберите редакцию"
        value={locked.name}
        describedBy="locked-hint"
      />
      <ReadonlyField
        id={FIELD_IDS.spheres}
        label="Выберите сферы"
        value={sphereNames.join(", ")}
        describedBy="locked-hint"
      />
    </>
  );
}

/** A labelled read-only text box: visible and focusable, not editable. */
export function ReadonlyField({
  id,
  label,
  value,
  describedBy,
}: {
  id: string;
  label: string;
  value: string;
  describedBy?: string;
}) {
  return (
    <div className="form-group">
      <label htmlFor={id} className="label">
        {label}
      </label>
      <input
        id={id}
        type="text"
        className="input input--readonly"
        value={value}
        readOnly
        aria-describedby={describedBy}
      />
    </div>
  );
}
