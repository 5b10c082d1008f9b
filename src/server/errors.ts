/** A field-level problem, shown inline and in the form's error summary. */
export interface FieldProblem {
  /** Path of the field, e.g. `name` or `spheres.0`. */
  path: string;
  message: string;
}

/** An error whose message is safe to show to the user (Russian). */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: FieldProblem[] = [],
    /** A stable id of the error kind, for clients and logs. */
    readonly code: string = "error",
  ) {
    super(message);
    this.name = "AppError";
  }
}

export class ValidationError extends AppError {
  constructor(details: FieldProblem[], message = "Исправьте ошибки в форме") {
    super(422, message, details, "validation_failed");
  }
}

export class NotFoundError extends AppError {
  constructor(message = "Страница или запись не найдена") {
    super(404, message, [], "not_found");
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, code = "forbidden") {
    super(403, message, [], code);
  }
}

export class UnauthorizedError extends AppError {
  constructor(
    message = "Сеанс завершён или истёк: войдите через ЕСИА ещё раз",
  ) {
    super(401, message, [], "unauthorized");
  }
}

export class ConflictError extends AppError {
  constructor(
    message: string,
    code = "conflict",
    details: FieldProblem[] = [],
  ) {
    super(409, message, details, code);
  }
}
