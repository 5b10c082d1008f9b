/**
 * Failures of the ESIA sign-in. Each carries a stable `code` (also used in
 * `/signin?error=<code>`), an English `message` for the operator's log and a
 * Russian `userMessage` that explains what to do next.
 */
export type EsiaErrorCode =
  /** The person pressed «Отказать» (ESIA-007004). */
  | "access_denied"
  /** ESIA rejected the authorization request (bad signature, hash, clock, client). */
  | "authorization_failed"
  /** The `state` returned by ESIA is not the one the product sent. */
  | "state_mismatch"
  /** ESIA rejected the token request. */
  | "token_request_failed"
  /** A token's signature or claims did not verify. */
  | "invalid_token"
  /** ESIA rejected a REST call with its expired-token error (ESIA-005013). */
  | "token_expired"
  /** ESIA rejected a REST call (missing scope, invalid token, not found). */
  | "rest_request_failed"
  /** ESIA returned something that is not the documented JSON. */
  | "malformed_response"
  /** ESIA could not be reached, timed out or returned 5xx. */
  | "unavailable"
  /** The configured signer failed to sign. */
  | "signer_failed";

const RETRY = "Нажмите «Войти через ЕСИА», чтобы попробовать снова.";
const SUPPORT =
  "Если ошибка повторится, сообщите в службу поддержки время входа и код ошибки.";

/** Codes of `/signin?error=…`: the ESIA client's, plus `internal_error` for a fault of the product. */
export type SignInErrorCode = EsiaErrorCode | "internal_error";

/** Text of the sign-in page for each `/signin?error=…` code. */
export const SIGN_IN_ERROR_MESSAGES: Record<SignInErrorCode, string> = {
  access_denied: `Вы не предоставили доступ к данным на Госуслугах, поэтому войти не получилось. ${RETRY} На странице Госуслуг нажмите «Предоставить».`,
  authorization_failed: `Госуслуги отклонили запрос на вход. ${RETRY} ${SUPPORT}`,
  state_mismatch: `Ссылка для входа устарела или открыта в другом браузере. ${RETRY}`,
  token_request_failed: `Госуслуги не подтвердили вход. ${RETRY} ${SUPPORT}`,
  invalid_token: `Не удалось проверить ответ Госуслуг. ${RETRY} ${SUPPORT}`,
  token_expired: `Время сеанса Госуслуг истекло. ${RETRY}`,
  rest_request_failed: `Не удалось получить ваши данные с Госуслуг. ${RETRY} ${SUPPORT}`,
  malformed_response: `Госуслуги вернули ответ, который не удалось прочитать. ${RETRY} ${SUPPORT}`,
  unavailable:
    "Госуслуги сейчас не отвечают. Попробуйте войти через несколько минут.",
  signer_failed: `Вход временно недоступен из-за ошибки на стороне сервиса. ${SUPPORT}`,
  internal_error: `Вход не удался из-за ошибки на стороне сервиса. ${RETRY} ${SUPPORT}`,
};

export class EsiaError extends Error {
  override name = "EsiaError";

  constructor(
    readonly code: EsiaErrorCode,
    /** English detail for the operator's log. */
    message: string,
    readonly details: {
      esiaCode?: string;
      status?: number;
      cause?: unknown;
    } = {},
  ) {
    super(
      message,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
  }

  /** Russian text for the person signing in. */
  get userMessage(): string {
    return SIGN_IN_ERROR_MESSAGES[this.code];
  }

  get esiaCode(): string | undefined {
    return this.details.esiaCode;
  }
}

/** Takes `ESIA-007004` out of `ESIA-007004: The resource owner …`. */
export function extractEsiaCode(description: unknown): string | undefined {
  if (typeof description !== "string") return undefined;
  return /\bESIA-\d{6}\b/.exec(description)?.[0];
}
