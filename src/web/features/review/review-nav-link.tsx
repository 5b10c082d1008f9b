import { Link } from "react-router-dom";
import { useReviewAccess } from "./api";

/**
 * «Заявки на рассмотрение» for the header: shown only to a person who may
 * review (a platform operator or an employee with access to an editorial
 * cabinet), and only while a session exists.
 */
export function ReviewNavLink({ signedIn }: { signedIn: boolean }) {
  const access = useReviewAccess(signedIn);
  const data = access.data;
  if (!data) return null;
  const reviews =
    data.operatorRegions !== null || data.editorialCabinets.length > 0;
  return reviews ? <Link to="/review">Заявки на рассмотрение</Link> : null;
}
