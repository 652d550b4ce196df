import type { Request, Response } from 'express';
import { AppError } from '../core/errors';
import { type Flash, redirectWithFlash } from '../http/pages';
import { type MessageParams, t } from '../i18n/messages';

/*
 * The small forms of the inspection pages (a decision, a figure, an upload, open/close) post, act
 * and go back where they came from with a message. A refusal the user can act on — a missing note,
 * a locked item, a file too large or of a refused type, a scanner that is down — comes back as an
 * error message on the same page; anything else (403, 404, a bug) goes to the error page.
 */

const SHOWN_ON_THE_PAGE = new Set([400, 409, 413, 415, 503]);

/** Parameters as a flash cookie carries them: a nested message (a status word) is worded now. */
function plainParams(req: Request, params: MessageParams): Record<string, string | number> {
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, typeof value === 'object' ? t(req.lang, value.key) : value]));
}

/** The error message an AppError means, as a flash; undefined for errors that belong on the error page. */
export function flashOfError(req: Request, err: unknown): Flash | undefined {
  if (!(err instanceof AppError) || !SHOWN_ON_THE_PAGE.has(err.status)) return undefined;
  return { kind: 'error', key: err.messageKey, params: plainParams(req, err.params) };
}

/** Runs `act`; then 303 to `back` with its success message, or with the refusal's message. */
export async function actThenRedirect(req: Request, res: Response, back: string, act: () => Promise<Flash>): Promise<void> {
  let flash: Flash;
  try {
    flash = await act();
  } catch (err) {
    const refusal = flashOfError(req, err);
    if (!refusal) throw err;
    flash = refusal;
  }
  redirectWithFlash(req, res, back, { ...flash, params: flash.params && plainParams(req, flash.params) });
}
