/**
 * The ESIA data the product works with, normalized by the ESIA client from
 * `/rs/prns/{oid}`, `/rs/prns/{oid}/ctts`, `/rs/prns/{oid}/roles` and
 * `/rs/orgs/{org}/emps/{oid}/grps`. ESIA oids are kept as decimal strings
 * because the product never does arithmetic on them.
 */
export interface EsiaProfile {
  oid: string;
  lastName: string;
  firstName: string;
  middleName: string | null;
  /** The e-mail contact (`EML`), verified one preferred. */
  email: string | null;
  /** The mobile phone contact (`MBT`), as ESIA writes it: `+7(900)1234567`. */
  mobile: string | null;
  organizations: EsiaOrganization[];
}

export type EsiaOrganizationType = "LEGAL" | "BUSINESS" | "AGENCY";

export interface EsiaOrganization {
  oid: string;
  ogrn: string;
  fullName: string;
  shortName: string;
  type: EsiaOrganizationType;
  /** «Руководитель» of the organization's profile. */
  chief: boolean;
  /** Member of «Администраторы профиля организации». */
  admin: boolean;
  /** False when the employee is blocked in the organization. */
  active: boolean;
  isLiquidated: boolean;
  /** The person's access groups in this organization (`grp_id`, `name`). */
  groups: EsiaGroup[];
}

export interface EsiaGroup {
  grpId: string;
  name: string;
}
