import type { CabinetKind } from "./cabinets.js";
import type { EsiaOrganization } from "./esia-profile.js";

/** ESIA access group ids of each cabinet kind, set by the deployment. */
export interface AccessGroups {
  work: string;
  editorial: string;
}

export const ACCESS_GROUP_NAMES: Record<CabinetKind, string> = {
  work: "ПОС. Госпаблики. Кабинет учреждения",
  editorial: "ПОС. Госпаблики. Кабинет редакции",
};

export type IneligibilityCode =
  | "employee_blocked"
  | "organization_liquidated"
  | "individual_entrepreneur"
  | "no_role"
  | "no_group";

export interface Ineligibility {
  code: IneligibilityCode;
  message: string;
}

/**
 * Checks whether a person may apply for a cabinet of `kind` on behalf of an
 * organization. Returns every failed condition, each with a message that says
 * what is missing and who can fix it; an empty list means the person may apply.
 */
export function checkEligibility(
  organization: EsiaOrganization,
  kind: CabinetKind,
  groups: AccessGroups,
): Ineligibility[] {
  const problems: Ineligibility[] = [];
  if (!organization.active) {
    problems.push({
      code: "employee_blocked",
      message:
        "Ваша учётная запись заблокирована в профиле организации в ЕСИА. Обратитесь к администратору профиля организации на Госуслугах, чтобы он восстановил доступ.",
    });
  }
  if (organization.isLiquidated) {
    problems.push({
      code: "organization_liquidated",
      message:
        "Организация ликвидирована по данным ЕСИА. Кабинет может создать только действующая организация.",
    });
  }
  if (organization.type === "BUSINESS") {
    problems.push({
      code: "individual_entrepreneur",
      message:
        "Кабинет может создать только юридическое лицо или орган власти, а не индивидуальный предприниматель.",
    });
  }
  if (!organization.chief && !organization.admin) {
    problems.push({
      code: "no_role",
      message:
        "У вас нет роли «Руководитель» или «Администратор» в профиле организации в ЕСИА. Её может назначить руководитель или администратор профиля организации на Госуслугах.",
    });
  }
  const groupId = kind === "work" ? groups.work : groups.editorial;
  if (!organization.groups.some((group) => group.grpId === groupId)) {
    problems.push({
      code: "no_group",
      message: `Вы не состоите в группе доступа «${ACCESS_GROUP_NAMES[kind]}». Попросите администратора профиля организации в ЕСИА добавить вас в эту группу на Госуслугах.`,
    });
  }
  return problems;
}

/**
 * Whether a person may enter a cabinet of `kind` of this organization or
 * review applications for it: an active employee in the access group.
 */
export function hasCabinetAccess(
  organization: EsiaOrganization,
  kind: CabinetKind,
  groups: AccessGroups,
): boolean {
  const groupId = kind === "work" ? groups.work : groups.editorial;
  return (
    organization.active &&
    !organization.isLiquidated &&
    organization.groups.some((group) => group.grpId === groupId)
  );
}
