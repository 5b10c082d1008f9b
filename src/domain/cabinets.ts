/** The two cabinet kinds. */
export const CABINET_KINDS = ["editorial", "work"] as const;
export type CabinetKind = (typeof CABINET_KINDS)[number];

export const CABINET_KIND_LABELS: Record<CabinetKind, string> = {
  editorial: "Кабинет редакции",
  work: "Рабочий кабинет",
};

/** The five cabinet types; codes are stored in the database. */
export const CABINET_TYPES = [
  "roiv",
  "omsu",
  "roiv_territorial",
  "roiv_subordinate",
  "omsu_subordinate",
] as const;
export type CabinetType = (typeof CABINET_TYPES)[number];

export interface CabinetTypeInfo {
  code: CabinetType;
  name: string;
  /** Kinds of cabinet this type is allowed for. */
  kinds: readonly CabinetKind[];
  /**
   * For a work cabinet: which editorial cabinets it may be bound to. `own`
   * means only the organization's own editorial cabinet.
   */
  editorialRule: "own" | { type: "roiv" | "omsu" };
}

export const CABINET_TYPE_INFO: Record<CabinetType, CabinetTypeInfo> = {
  roiv: {
    code: "roiv",
    name: "РОИВ",
    kinds: ["editorial", "work"],
    editorialRule: "own",
  },
  omsu: {
    code: "omsu",
    name: "ОМСУ",
    kinds: ["editorial", "work"],
    editorialRule: "own",
  },
  roiv_territorial: {
    code: "roiv_territorial",
    name: "Территориальный орган РОИВ",
    kinds: ["work"],
    editorialRule: { type: "roiv" },
  },
  roiv_subordinate: {
    code: "roiv_subordinate",
    name: "Подведомственная РОИВ организация",
    kinds: ["work"],
    editorialRule: { type: "roiv" },
  },
  omsu_subordinate: {
    code: "omsu_subordinate",
    name: "Подведомственная ОМСУ организация",
    kinds: ["work"],
    editorialRule: { type: "omsu" },
  },
};

export function isCabinetType(value: string): value is CabinetType {
  return (CABINET_TYPES as readonly string[]).includes(value);
}

export function typeAllowsKind(type: CabinetType, kind: CabinetKind): boolean {
  return CABINET_TYPE_INFO[type].kinds.includes(kind);
}
