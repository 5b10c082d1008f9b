import { AppError, ConflictError, ValidationError } from "./errors.js";

/**
 * Messages for the database constraints a request can break. The service
 * checks these rules before writing; the constraints catch races and bugs,
 * and this table turns them into a clear answer instead of a 500.
 */
const CONSTRAINT_MESSAGES: Record<
  string,
  {
    status: 409 | 422;
    message: string;
    field?: string;
    /** Error code of the response; the constraint name when unset. */
    code?: string;
  }
> = {
  applications_one_open_per_organization_kind: {
    status: 409,
    code: "application_exists",
    message:
      "У организации уже есть заявка на такой кабинет, которая рассматривается или ждёт исправления: откройте её вместо новой",
  },
  cabinets_one_active_per_organization_kind: {
    status: 409,
    code: "cabinet_exists",
    message: "У организации уже есть кабинет этого вида",
  },
  name_claims_scope_name_key_pk: {
    status: 409,
    code: "name_taken",
    field: "name",
    message:
      "Кабинет или заявка с таким названием уже есть у этой редакции: введите другое название",
  },
  application_decisions_one_per_revision: {
    status: 409,
    message:
      "По этой редакции заявки уже принято решение другим сотрудником: обновите страницу, чтобы увидеть его",
  },
  applications_state: {
    status: 422,
    message: "Недопустимое состояние заявки",
  },
  applications_region_code_regions_code_fk: {
    status: 422,
    field: "region",
    message: "Выберите регион из списка: такого кода региона нет",
  },
  cabinets_region_code_regions_code_fk: {
    status: 422,
    field: "region",
    message: "Выберите регион из списка: такого кода региона нет",
  },
  application_revisions_region_code_regions_code_fk: {
    status: 422,
    field: "region",
    message: "Выберите регион из списка: такого кода региона нет",
  },
  applications_type_code_cabinet_types_code_fk: {
    status: 422,
    field: "type",
    message: "Выберите тип кабинета из списка",
  },
  revision_spheres_sphere_code_spheres_code_fk: {
    status: 422,
    field: "spheres",
    message:
      "Выберите сферы из списка: одной из указанных сфер нет в справочнике",
  },
  applications_editorial_cabinet_id_cabinets_id_fk: {
    status: 422,
    field: "editorialCabinetId",
    message: "Выберите редакцию из списка: такой редакции нет",
  },
};

interface PgErrorLike {
  code?: string;
  constraint?: string;
  cause?: unknown;
}

/** Returns the error and its causes, at most five levels deep, outermost first. */
function causeChain(error: unknown): PgErrorLike[] {
  const chain: PgErrorLike[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    chain.push(current as PgErrorLike);
    current = (current as PgErrorLike).cause;
  }
  return chain;
}

/** Finds the PostgreSQL error inside an error that Drizzle may have wrapped. */
export function findPgError(error: unknown): PgErrorLike | undefined {
  return causeChain(error).find(
    (candidate) =>
      typeof candidate.code === "string" &&
      /^[0-9A-Z]{5}$/.test(candidate.code),
  );
}

/** Socket errors of a database server that is down, restarting or unreachable. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
]);

/**
 * Checks whether the error means the database cannot be reached now: a
 * refused or broken connection, a connection that PostgreSQL closed
 * (SQLSTATE class 08, or 57P01 to 57P03 during a shutdown or start), or
 * node-postgres's "Connection terminated" without a code.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return causeChain(error).some((candidate) => {
    const { code } = candidate;
    const { message } = candidate as { message?: unknown };
    if (typeof code === "string") {
      if (UNREACHABLE_CODES.has(code)) return true;
      if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code)) {
        return true;
      }
    }
    return (
      typeof message === "string" &&
      /^Connection terminated|not queryable/.test(message)
    );
  });
}

/** Converts a constraint violation into an AppError, or returns undefined. */
export function translateDatabaseError(error: unknown): AppError | undefined {
  const pgError = findPgError(error);
  if (!pgError) return undefined;
  const known = pgError.constraint
    ? CONSTRAINT_MESSAGES[pgError.constraint]
    : undefined;
  if (known) {
    const details = known.field
      ? [{ path: known.field, message: known.message }]
      : [];
    return known.status === 409
      ? new ConflictError(
          known.message,
          known.code ?? pgError.constraint,
          details,
        )
      : new ValidationError(details, known.message);
  }
  switch (pgError.code) {
    case "23505":
      return new ConflictError(
        "Такая запись уже существует",
        "unique_violation",
      );
    case "23503":
      return new ValidationError(
        [],
        "Запрос ссылается на запись, которой нет: обновите страницу и выберите значение из списка",
      );
    case "23514":
      return new ValidationError(
        [],
        "Значение не прошло проверку: исправьте данные формы",
      );
    // A character PostgreSQL text cannot hold (NUL) in a field whose form
    // check missed it.
    case "22021":
    case "22P05":
      return new ValidationError(
        [],
        "Текст содержит недопустимый символ (нулевой байт): удалите его и повторите",
      );
    case "40001":
    case "40P01":
      return new ConflictError(
        "Запрос столкнулся с одновременным изменением: повторите действие",
        "serialization_failure",
      );
    default:
      return undefined;
  }
}
