import { Navigate, type RouteObject } from "react-router-dom";
import { Layout } from "./components/layout";
import { NotFoundPage } from "./components/not-found-page";
import { RequireSession } from "./components/require-session";
import { ApplicationPage } from "./features/application/application-page";
import { NewApplicationPage } from "./features/application/new-application-page";
import { CabinetPage } from "./features/cabinet/cabinet-page";
import { MailListPage } from "./features/mail/mail-list-page";
import { MailMessagePage } from "./features/mail/mail-message-page";
import { CabinetKindPage } from "./features/organizations/cabinet-kind-page";
import { OrganizationPage } from "./features/organizations/organization-page";
import { ReviewApplicationPage } from "./features/review/review-application-page";
import { ReviewQueuePage } from "./features/review/review-queue-page";
import { SignInPage } from "./features/sign-in/sign-in-page";

/**
 * Pages for a signed-in person. The review, cabinet and mail features add
 * their pages here (`/review…`, `/cabinets/:id`, `/mail…`).
 */
export const signedInRoutes: RouteObject[] = [
  { path: "/organizations", element: <OrganizationPage /> },
  { path: "/organizations/:organizationOid", element: <CabinetKindPage /> },
  {
    path: "/organizations/:organizationOid/:kind/new",
    element: <NewApplicationPage />,
  },
  { path: "/applications/:id", element: <ApplicationPage /> },
  { path: "/review", element: <ReviewQueuePage /> },
  { path: "/review/:id", element: <ReviewApplicationPage /> },
  { path: "/cabinets/:id", element: <CabinetPage /> },
];

/** Pages open without a session. */
export const publicRoutes: RouteObject[] = [
  { path: "/signin", element: <SignInPage /> },
  // The embedded mail catcher's pages; the API answers 404 when SMTP_URL is set.
  { path: "/mail", element: <MailListPage /> },
  { path: "/mail/:id", element: <MailMessagePage /> },
];

export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { path: "/", element: <Navigate to="/organizations" replace /> },
      ...publicRoutes,
      { element: <RequireSession />, children: signedInRoutes },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];
