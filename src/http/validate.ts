import { z } from 'zod';
import { ValidationError } from '../core/errors';
import type { Lang } from '../core/vocabulary';

const localeErrors = { vi: z.locales.vi().localeError, en: z.locales.en().localeError };

/** Parses `data` with `schema`; a failure becomes a 400 naming each field, worded in `lang`. */
export function validate<S extends z.ZodType>(schema: S, data: unknown, lang: Lang): z.infer<S> {
  const result = schema.safeParse(data, { error: localeErrors[lang] });
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || '(body)',
      message: issue.message,
    })),
  );
}
