import { Navigate, Outlet, useLocation } from "react-router-dom";
import { useSession } from "../api/session";
import { Loading, RequestError } from "./query-state";

/**
 * Shows the nested pages to a signed-in person. Others go to the sign-in
 * page, which returns them to this page after the sign-in.
 */
export function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <Loading>Проверяем вход…</Loading>;
  if (session.isError) return <RequestError error={session.error} />;
  if (!session.data) {
    return (
      <Navigate
        to={`/signin?app_name=ku&return=${encodeURIComponent(location.pathname + location.search)}`}
        replace
      />
    );
  }
  return <Outlet />;
}
