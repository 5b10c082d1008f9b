import { Link, useSearchParams } from "react-router-dom";
import {
  SIGN_IN_ERROR_MESSAGES,
  type SignInErrorCode,
} from "../../../esia/errors";
import { signInReturnPath } from "../../../domain/return-path";
import { personName, useSession } from "../../api/session";
import { PageHeading } from "../../components/page-heading";

const UNKNOWN_ERROR =
  "Войти не получилось. Нажмите «Войти через ЕСИА», чтобы попробовать снова.";

function errorText(code: string): { title: string; message: string } {
  const known = (SIGN_IN_ERROR_MESSAGES as Record<string, string>)[code];
  if (code === "access_denied") {
    return {
      title: "Доступ не предоставлен",
      message: SIGN_IN_ERROR_MESSAGES.access_denied,
    };
  }
  return {
    title: "Не удалось войти",
    message: known ?? UNKNOWN_ERROR,
  };
}

/**
 * `/signin?app_name=ku`: the button «Войти через ЕСИА», and the reason of a
 * failed sign-in when ESIA or the product returned `?error=<code>`.
 */
export function SignInPage() {
  const [params] = useSearchParams();
  const session = useSession();
  const code = params.get("error") as SignInErrorCode | null;
  const error = code ? errorText(code) : null;
  const person = session.data?.person;
  const returnPath = signInReturnPath(params.get("return"));

  return (
    <div className="narrow">
      <PageHeading title={error ? error.title : "Вход"}>
        Вход в Госпаблики
      </PageHeading>
      {error ? (
        <div className="notice notice--error" aria-labelledby="sign-in-error">
          <h2 id="sign-in-error" className="notice__title">
            {error.title}
          </h2>
          <p>{error.message}</p>
        </div>
      ) : null}
      {person ? (
        <div className="notice">
          <p>
            Вы уже вошли как {personName(person)}.{" "}
            <Link to={returnPath ?? "/organizations"}>Продолжить</Link>
          </p>
        </div>
      ) : null}
      <p>
        Войдите с учётной записью Госуслуг (ЕСИА), чтобы подать заявку на
        создание кабинета организации или перейти в её кабинет.
      </p>
      {/* A form, because «Войти через ЕСИА» is a button in the manual. */}
      <form method="get" action="/auth/esia/start">
        {returnPath ? (
          <input type="hidden" name="return" value={returnPath} />
        ) : null}
        <button type="submit" className="button button--large">
          Войти через ЕСИА
        </button>
      </form>
    </div>
  );
}
