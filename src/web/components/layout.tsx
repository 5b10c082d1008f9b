import { Link, Outlet } from "react-router-dom";
import { personName, useSession, useSignOut } from "../api/session";
import { ReviewNavLink } from "../features/review/review-nav-link";

/**
 * The page frame: a skip link, the «ГОС услуги» header with the signed-in
 * person, «Заявки на рассмотрение» for reviewers and «Выйти», the main
 * region and the footer.
 */
export function Layout() {
  const session = useSession();
  const signOut = useSignOut();
  const person = session.data?.person;
  return (
    <>
      <a className="skip-link" href="#main">
        Перейти к основному содержимому
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <Link to="/" className="logo" aria-label="ГОС услуги: на главную">
            <span className="logo__top" aria-hidden="true">
              ГОС
            </span>
            <span className="logo__bottom" aria-hidden="true">
              услуги
            </span>
          </Link>
          <p className="site-header__service">
            Госпаблики: регистрация кабинетов
          </p>
          {person ? (
            <div className="site-header__person">
              <ReviewNavLink signedIn />
              <span>{personName(person)}</span>
              <button
                type="button"
                className="link-button"
                onClick={() => void signOut()}
              >
                Выйти
              </button>
            </div>
          ) : null}
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>ПОС «Госпаблики» — компонент платформы обратной связи Госуслуг.</p>
      </footer>
    </>
  );
}
