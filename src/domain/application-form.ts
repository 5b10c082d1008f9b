import { z } from "zod";
import { CABINET_KINDS, CABINET_TYPES } from "./cabinets.js";
import { isValidEmail, normalizeEmail } from "./email.js";
import { isRegionCode } from "./regions.js";
import {
  hasControlCharacters,
  isWellFormedText,
  normalizeName,
} from "./text.js";

export const NAME_MIN_LENGTH = 3;
export const NAME_MAX_LENGTH = 200;
export const REASON_MAX_LENGTH = 2000;

/** Cabinet name: normalized, 3–200 characters, no control characters. */
function codePointLength(value: string): number {
  let count = 0;
  for (const _character of value) count += 1;
  return count;
}

export const cabinetNameSchema = z
  .string({ error: "Введите название кабинета" })
  .refine(isWellFormedText, {
    message:
      "Название содержит недопустимые символы (половину пары UTF-16): удалите их и введите название заново",
    abort: true,
  })
  .refine((value) => !hasControlCharacters(value), {
    message:
      "Название содержит управляющие символы (перевод строки, табуляцию) или невидимые символы нулевой ширины: удалите их",
  })
  .transform(normalizeName)
  .refine((value) => value.length > 0, { message: "Введите название кабинета" })
  // Characters as PostgreSQL's char_length counts them (code points), so an
  // emoji counts once here and in the database check.
  .refine(
    (value) => value.length === 0 || codePointLength(value) >= NAME_MIN_LENGTH,
    {
      message: `Название кабинета должно содержать не менее ${NAME_MIN_LENGTH} символов`,
    },
  )
  .refine((value) => codePointLength(value) <= NAME_MAX_LENGTH, {
    message: `Название кабинета должно содержать не более ${NAME_MAX_LENGTH} символов: сократите его`,
  });

export const emailSchema = z
  .string({ error: "Введите электронную почту" })
  .transform(normalizeEmail)
  .refine((value) => value.length > 0, { message: "Введите электронную почту" })
  .refine((value) => value.length === 0 || isValidEmail(value), {
    message:
      "Введите адрес электронной почты в формате имя@домен.рф или name@example.ru",
  });

export const regionSchema = z
  .string({ error: "Выберите регион" })
  .refine((value) => value.length > 0, { message: "Выберите регион" })
  .refine((value) => value.length === 0 || isRegionCode(value), {
    message: "Выберите регион из списка: такого кода региона нет",
  });

export const cabinetTypeSchema = z.enum(CABINET_TYPES, {
  error: "Выберите тип кабинета из списка",
});

export const spheresSchema = z
  .array(
    z
      .string()
      .min(1)
      .refine((code) => !hasControlCharacters(code), {
        message: "Выберите сферы из списка",
      }),
    { error: "Выберите хотя бы одну сферу" },
  )
  .min(1, { message: "Выберите хотя бы одну сферу" })
  .max(50, { message: "Выберите не более 50 сфер" })
  .transform((codes) => [...new Set(codes)]);

/**
 * The fields of the application form that the applicant fills in. The server
 * also receives the organization and the kind, which the form does not show.
 */
export const applicationFieldsSchema = z.object({
  name: cabinetNameSchema,
  region: regionSchema,
  type: cabinetTypeSchema,
  editorialCabinetId: z
    .string()
    .uuid({ message: "Выберите редакцию из списка" })
    .nullable()
    .optional(),
  spheres: spheresSchema,
  email: emailSchema,
});
export type ApplicationFields = z.output<typeof applicationFieldsSchema>;
export type ApplicationFieldsInput = z.input<typeof applicationFieldsSchema>;

export const applicationSubmitSchema = applicationFieldsSchema.extend({
  organizationOid: z
    .string({ error: "Выберите организацию" })
    .regex(/^\d{1,20}$/, { message: "Выберите организацию из списка" }),
  kind: z.enum(CABINET_KINDS, {
    error: "Выберите кабинет: «Кабинет редакции» или «Рабочий кабинет»",
  }),
  /** A client-generated key that makes a repeated submission return the first result. */
  idempotencyKey: z
    .string()
    .uuid({ message: "Обновите страницу и отправьте заявку ещё раз" })
    .optional(),
});
export type ApplicationSubmit = z.output<typeof applicationSubmitSchema>;

export const rejectionReasonSchema = z
  .string({ error: "Укажите причину отклонения" })
  .refine(isWellFormedText, {
    message:
      "Причина содержит недопустимые символы (половину пары UTF-16): удалите их и введите текст заново",
  })
  .refine((value) => !value.includes("\u0000"), {
    message: "Причина содержит нулевой байт: удалите его",
  })
  .transform((value) => value.trim())
  .refine((value) => value.length > 0, {
    message: "Укажите причину отклонения",
  })
  .refine((value) => value.length <= REASON_MAX_LENGTH, {
    message: `Причина отклонения должна содержать не более ${REASON_MAX_LENGTH} символов: сократите её`,
  });
