import type { NextFunction, Request, Response } from 'express';
import { AppError, NotFoundError, TooManyRequestsError, ValidationError } from '../core/errors';
import { t } from '../i18n/messages';
import { isPageRequest } from './page-requests';
import { renderErrorPage } from './render';

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Errors raised by body parsers and upload middleware, turned into typed errors. */
function fromLibraryError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  const e = err as BodyParserError;
  if (e?.type === 'entity.too.large') return new AppError(413, 'payload_too_large', 'error.payloadTooLarge');
  if (e?.type === 'entity.parse.failed') return new ValidationError([{ field: '(body)', message: 'invalid JSON' }], 'error.badJson');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new ValidationError([{ field: '(body)', message: String((err as Error).message) }]);
  }
  return undefined;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

/**
 * The one place errors become HTTP answers: `{error:{code,message,details?}}`, never a stack. A page
 * request (not under /api/, accepting HTML) gets a friendly HTML page instead, or the login page.
 */
export function errorHandler(err: unknown, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  const known = fromLibraryError(err);
  const requestId = typeof req.id === 'string' ? req.id : JSON.stringify(req.id);
  if (!known) req.log.error({ err }, 'unhandled error');
  // A typed server-side failure (a disk error, say) is expected but still needs an operator.
  else if (known.status >= 500) req.log.error({ err: known, cause: known.cause }, known.code);
  if (known instanceof TooManyRequestsError) res.set('Retry-After', String(known.retryAfterSeconds));
  if (isPageRequest(req)) return renderErrorPage(req, res, known, requestId);
  if (!known) {
    res.status(500).json({ error: { code: 'internal', message: t(req.lang, 'error.internal', { requestId }), requestId } } satisfies ErrorBody);
    return;
  }
  const body: ErrorBody = { error: { code: known.code, message: t(req.lang, known.messageKey, known.params) } };
  if (known.details !== undefined) body.error.details = known.details;
  res.status(known.status).json(body);
}

export function notFoundHandler(_req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError());
}
