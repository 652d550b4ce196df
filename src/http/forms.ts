import type { Request, Response } from 'express';
import { z } from 'zod';
import { AppError, ReferenceNotFoundError } from '../core/errors';
import type { Lang } from '../core/vocabulary';
import { issueMessage } from '../i18n/issue-words';
import { t } from '../i18n/messages';
import { type Flash, redirectWithFlash } from './flash';

/*
 * Form handling for every page: fields read from the body, validation with the API's own schemas
 * worded for people, and the one rule for what happens when an action is refused. A refusal the
 * user can act on stays on the page, as a message beside the form (or, after a small action, as a
 * flash where they were): bad input (400), a record the form named that does not exist (a 404 about
 * a field), a state that does not allow it (409), a file too large (413) or of a refused type
 * (415), a virus scanner that is down (503). Anything else (401, 403, a 404 of the page's own
 * target, a bug) goes to the error page.
 */

const STAYS_ON_THE_PAGE = new Set([400, 409, 413, 415, 503]);

/** The refusal as an AppError the page shows beside the form; undefined when it belongs on the error page. */
export function refusalOnThePage(err: unknown): AppError | undefined {
  if (!(err instanceof AppError)) return undefined;
  return STAYS_ON_THE_PAGE.has(err.status) || err instanceof ReferenceNotFoundError ? err : undefined;
}

/** Field path (`code`, `items.3.title`) → message, in the request's language. */
export type FieldErrors = Record<string, string>;

const localeErrors = { vi: z.locales.vi().localeError, en: z.locales.en().localeError };

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Validates a form with the same schema the API uses; failures become field errors. */
export function parseForm<S extends z.ZodType>(schema: S, data: unknown, lang: Lang): FormResult<z.infer<S>> {
  // reportInput: to tell a missing value ("required") from a wrong one.
  const result = schema.safeParse(data, { error: localeErrors[lang], reportInput: true });
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.map(String).join('.') || '_form';
    errors[field] ??= issueMessage(issue, lang);
  }
  return { ok: false, errors };
}

export interface FormFailure {
  ok: false;
  status: number;
  /** The line above the form: what went wrong, worded for the user. */
  message: string;
  errors: FieldErrors;
}
export type FormOutcome<T> = { ok: true; value: T } | FormFailure;

/**
 * A form action: validate `raw` with `schema`, then `act` on the result. A refusal that stays on
 * the page comes back as a FormFailure for the page to show beside the form; anything else is
 * thrown to the error page.
 */
export async function submitForm<S extends z.ZodType, T>(
  req: Request,
  schema: S,
  raw: unknown,
  act: (input: z.infer<S>) => Promise<T>,
): Promise<FormOutcome<T>> {
  const parsed = parseForm(schema, raw, req.lang);
  if (!parsed.ok) return { ok: false, status: 400, message: t(req.lang, 'form.fixErrors'), errors: parsed.errors };
  try {
    return { ok: true, value: await act(parsed.data) };
  } catch (err) {
    const refusal = refusalOnThePage(err);
    if (!refusal) throw err;
    const errors: FieldErrors = refusal instanceof ReferenceNotFoundError ? { [refusal.field]: t(req.lang, refusal.messageKey, refusal.params) } : {};
    return { ok: false, status: refusal.status, message: t(req.lang, refusal.messageKey, refusal.params), errors };
  }
}

/** The fields of an urlencoded form as strings (a repeated field keeps its last value). */
export function formFields(req: Request): Record<string, string> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    const last: unknown = Array.isArray(value) ? value.at(-1) : value;
    if (typeof last === 'string') fields[name] = last;
  }
  return fields;
}

/** Every value of a repeated form field (the ticked boxes of a checkbox list). */
export function fieldValues(req: Request, name: string): string[] {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  const values: unknown[] = Array.isArray(value) ? value : [value];
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

/** The refusal's message as a flash for the page the user goes back to; undefined for the error page's errors. */
export function flashOfError(err: unknown): Flash | undefined {
  const refusal = refusalOnThePage(err);
  return refusal && { kind: 'error', key: refusal.messageKey, params: refusal.params };
}

/**
 * The small forms of the inspection pages (a decision, a figure, open/close) post, act and go back
 * where they came from: 303 to `back` with `act`'s success message, or with the refusal's.
 */
export async function actThenRedirect(req: Request, res: Response, back: string, act: () => Promise<Flash>): Promise<void> {
  let flash: Flash;
  try {
    flash = await act();
  } catch (err) {
    const refusal = flashOfError(err);
    if (!refusal) throw err;
    flash = refusal;
  }
  redirectWithFlash(req, res, back, flash);
}
