import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, Navigate, useNavigate, useParams } from "react-router-dom";
import { CABINET_KINDS, type CabinetKind } from "../../../domain/cabinets";
import {
  applicantKeys,
  useDictionaries,
  useKindContext,
  type ApplicationDetail,
} from "../../api/applicant";
import { apiPost } from "../../api/client";
import { newIdempotencyKey } from "../../api/idempotency";
import { PageHeading } from "../../components/page-heading";
import { Loading, RequestError } from "../../components/query-state";
import { ApplicationForm, formTitle } from "./application-form";
import { initialValues } from "./form-values";

/** `/organizations/:organizationOid/:kind/new`: the empty application form. */
export function NewApplicationPage() {
  const { organizationOid = "", kind: kindParam = "" } = useParams();
  const kind = (CABINET_KINDS as readonly string[]).includes(kindParam)
    ? (kindParam as CabinetKind)
    : null;
  if (!kind)
    return <Navigate to={`/organizations/${organizationOid}`} replace />;
  return <NewApplication organizationOid={organizationOid} kind={kind} />;
}

function NewApplication({
  organizationOid,
  kind,
}: {
  organizationOid: string;
  kind: CabinetKind;
}) {
  const context = useKindContext(organizationOid, kind);
  const dictionaries = useDictionaries();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // One key per form, so that a repeated click or a retry after a lost
  // response returns the application the first request created.
  const [idempotencyKey] = useState(newIdempotencyKey);

  if (context.isPending || dictionaries.isPending) return <Loading />;
  if (context.isError) return <RequestError error={context.error} />;
  if (dictionaries.isError) return <RequestError error={dictionaries.error} />;

  const { status, organization } = context.data;
  const title = formTitle(kind);
  if (status.next === "cabinet" && status.cabinet) {
    return <Navigate to={`/cabinets/${status.cabinet.id}`} replace />;
  }
  const open = status.application;
  if (open && (open.state === "submitted" || open.state === "rejected")) {
    return <Navigate to={`/applications/${open.id}`} replace />;
  }
  if (!status.eligible) {
    return (
      <div className="narrow">
        <PageHeading title={title}>{title}</PageHeading>
        <div className="notice notice--error">
          <p>Подать заявку от организации «{organization.fullName}» нельзя:</p>
          <ul>
            {status.problems.map((problem) => (
              <li key={problem.code}>{problem.message}</li>
            ))}
          </ul>
        </div>
        <Link to="/organizations">К выбору организации</Link>
      </div>
    );
  }

  const locked = kind === "work" ? context.data.ownEditorialCabinet : null;
  return (
    <div className="narrow">
      <PageHeading title={title}>{title}</PageHeading>
      <p className="caption">
        {organization.fullName}, ОГРН: {organization.ogrn}
      </p>
      <ApplicationForm
        kind={kind}
        organizationOid={organization.oid}
        dictionaries={dictionaries.data}
        initial={initialValues(
          { email: context.data.defaultEmail ?? "" },
          locked,
        )}
        initialEditorial={locked ? { id: locked.id, name: locked.name } : null}
        locked={locked}
        onSubmit={async (values) => {
          const detail = await apiPost<ApplicationDetail>("/api/applications", {
            ...values,
            editorialCabinetId:
              kind === "work" ? values.editorialCabinetId : null,
            organizationOid: organization.oid,
            kind,
            idempotencyKey,
          });
          queryClient.setQueryData(
            applicantKeys.application(detail.id),
            detail,
          );
          // Mark the lists stale without refetching this page's context now:
          // a fresh context would redirect to the application without the
          // confirmation.
          await queryClient.invalidateQueries({
            queryKey: applicantKeys.organizations,
            refetchType: "none",
          });
          navigate(`/applications/${detail.id}`, {
            replace: true,
            state: { confirmation: "submitted" },
          });
        }}
      />
    </div>
  );
}
