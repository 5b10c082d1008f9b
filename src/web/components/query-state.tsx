import type { ReactNode } from "react";
import { Link } from "react-router-dom";
import { ApiError } from "../api/client";

/** A loading message that screen readers announce. */
export function Loading({ children = "Загрузка…" }: { children?: ReactNode }) {
  return (
    <p role="status" className="loading">
      {children}
    </p>
  );
}

/** The message of a failed request, with a way forward for an ended session. */
export function RequestError({ error }: { error: unknown }) {
  const message =
    error instanceof Error
      ? error.message
      : "Не удалось загрузить данные. Обновите страницу.";
  const expired = error instanceof ApiError && error.status === 401;
  return (
    <div role="alert" className="notice notice--error">
      <p>{message}</p>
      {expired ? (
        <p>
          <Link to="/signin?app_name=ku">Войти через ЕСИА</Link>
        </p>
      ) : null}
      {error instanceof ApiError && error.requestId ? (
        <p className="hint">Номер запроса: {error.requestId}</p>
      ) : null}
    </div>
  );
}
