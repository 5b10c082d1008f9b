import { CABINET_KIND_LABELS, type CabinetKind } from "../domain/cabinets.js";

/** The messages the product sends; each becomes one outbox row. */
export type MailTemplate =
  | "application_submitted"
  | "application_resubmitted"
  | "application_approved"
  | "application_rejected"
  | "review_requested";

export interface MailContent {
  subject: string;
  body: string;
}

export interface ApplicationMailFacts {
  reference: string;
  kind: CabinetKind;
  cabinetName: string;
  organizationName: string;
  /** Absolute URL of the application's page for the recipient. */
  url: string;
  reason?: string;
  resubmitted?: boolean;
}

const SIGNATURE =
  "\n\n--\nПОС «Госпаблики». Это письмо отправлено автоматически, отвечать на него не нужно.";

/** Renders the Russian text of a message. */
export function renderMail(
  template: MailTemplate,
  facts: ApplicationMailFacts,
): MailContent {
  const what = `${CABINET_KIND_LABELS[facts.kind].toLowerCase()} «${facts.cabinetName}»`;
  const header = `Заявка № ${facts.reference} на ${what}\nОрганизация: ${facts.organizationName}`;
  switch (template) {
    case "application_submitted":
    case "application_resubmitted":
      return {
        subject: `Заявка № ${facts.reference} ${template === "application_resubmitted" ? "повторно направлена" : "принята"} на рассмотрение`,
        body: `${header}\nСтатус: на рассмотрении\n\nВаша заявка на подключение кабинета находится на рассмотрении. Результат рассмотрения придёт на этот адрес.\n\nЗаявка: ${facts.url}${SIGNATURE}`,
      };
    case "application_approved":
      return {
        subject: `Заявка № ${facts.reference} одобрена: кабинет создан`,
        body: `${header}\nСтатус: одобрена\n\nЗаявка одобрена, кабинет создан. Чтобы войти в кабинет, войдите через ЕСИА, выберите организацию и вид кабинета.\n\nКабинет: ${facts.url}${SIGNATURE}`,
      };
    case "application_rejected":
      return {
        subject: `Заявка № ${facts.reference} отклонена`,
        body: `${header}\nСтатус: отклонена\n\nВаша заявка на подключение кабинета отклонена по причине:\n${facts.reason ?? ""}\n\nИсправьте параметры заявки и снова верните на рассмотрение: ${facts.url}${SIGNATURE}`,
      };
    case "review_requested":
      return {
        subject: `${facts.resubmitted ? "Исправленная заявка" : "Новая заявка"} № ${facts.reference} ждёт рассмотрения`,
        body: `${header}\nСтатус: на рассмотрении\n\n${facts.resubmitted ? "Заявитель исправил заявку и снова направил её на рассмотрение." : "Поступила новая заявка на подключение кабинета."} Одобрите или отклоните её.\n\nЗаявка: ${facts.url}${SIGNATURE}`,
      };
  }
}
