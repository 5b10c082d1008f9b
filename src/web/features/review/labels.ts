import { CABINET_KIND_LABELS } from "../../../domain/cabinets";
import { STATE_LABELS, type ApplicationState } from "../../../domain/states";

export { CABINET_KIND_LABELS };

/** Status names in the queue's tabs and badges. */
export const STATUS_TITLES: Record<ApplicationState, string> = {
  submitted: "На рассмотрении",
  rejected: "Отклонены",
  approved: "Одобрены",
  withdrawn: "Отозваны",
};

export function stateLabel(state: string): string {
  return STATE_LABELS[state as ApplicationState] ?? state;
}

const ACTION_LABELS: Record<string, string> = {
  application_submitted: "Заявка подана",
  application_resubmitted:
    "Заявка исправлена и снова направлена на рассмотрение",
  application_approved: "Заявка одобрена",
  application_rejected: "Заявка отклонена",
  application_withdrawn: "Заявка отозвана",
  cabinet_created: "Кабинет создан",
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

const dateTime = new Intl.DateTimeFormat("ru-RU", {
  day: "numeric",
  month: "long",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

const dateOnly = new Intl.DateTimeFormat("ru-RU", {
  day: "numeric",
  month: "long",
  year: "numeric",
});

/** Formats a moment in the browser's time zone, like the applicant's pages. */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatDate(iso: string): string {
  return dateOnly.format(new Date(iso));
}
