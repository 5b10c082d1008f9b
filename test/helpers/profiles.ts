import type {
  EsiaOrganization,
  EsiaProfile,
} from "../../src/domain/esia-profile.js";

export const GROUPS = { work: "POS_GP_WORK", editorial: "POS_GP_EDITORIAL" };

/** An eligible organization membership; override fields per case. */
export function organization(
  overrides: Partial<EsiaOrganization> = {},
): EsiaOrganization {
  return {
    oid: "1000000103",
    ogrn: "1027800001030",
    fullName:
      "Санкт-Петербургское государственное бюджетное учреждение «Центр городских услуг»",
    shortName: "СПб ГБУ ЦГУ",
    type: "LEGAL",
    chief: false,
    admin: true,
    active: true,
    isLiquidated: false,
    groups: [
      { grpId: GROUPS.work, name: "ПОС. Госпаблики. Кабинет учреждения" },
    ],
    ...overrides,
  };
}

export function profile(overrides: Partial<EsiaProfile> = {}): EsiaProfile {
  return {
    oid: "1000000002",
    lastName: "Петрова",
    firstName: "Анна",
    middleName: "Сергеевна",
    email: "petrova@example.ru",
    mobile: "+7(900)1234567",
    organizations: [organization()],
    ...overrides,
  };
}

/** Returns the chief's membership of «КК СПб» (1000000107) with editorial-cabinet access, as in the demo data. */
export function editorialOrganization(
  overrides: Partial<EsiaOrganization> = {},
): EsiaOrganization {
  return organization({
    oid: "1000000107",
    ogrn: "1027800001074",
    fullName: "Комитет по культуре Санкт-Петербурга",
    shortName: "КК СПб",
    type: "AGENCY",
    chief: true,
    groups: [
      { grpId: GROUPS.editorial, name: "ПОС. Госпаблики. Кабинет редакции" },
    ],
    ...overrides,
  });
}
