import { Navigate, type RouteObject } from "react-router-dom";
import { Layout } from "./components/layout";
import { NotFoundPage } from "./components/not-found-page";
import { RequireSession } from "./components/require-session";
import { ApplicationPage } from "./features/application/application-page";
import { NewApplicationPage } from "./features/application/new-application-page";
import { CabinetKindPage } from "./features/organizations/cabinet-kind-page";
import { OrganizationPage } from "./features/organizations/organization-page";
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
];

/** Pages open without a session. */
export const publicRoutes: RouteObject[] = [
  { path: "/signin", element: <SignInPage /> },
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
