import type { MessageKey, MessageParams } from '../i18n/messages';

/**
 * A failure the caller can act on. Services throw these with a message key, never HTTP details;
 * the error handler picks the status and words the message in the caller's language.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageKey: MessageKey,
    readonly params: MessageParams = {},
    readonly details?: unknown,
  ) {
    super(`${code}: ${messageKey} ${JSON.stringify(params)}`);
  }
}

export class ValidationError extends AppError {
  constructor(details: unknown, key: MessageKey = 'error.validation', params: MessageParams = {}) {
    super(400, 'validation_failed', key, params, details);
  }
}
export class UnauthenticatedError extends AppError {
  constructor(key: MessageKey = 'error.unauthenticated', params: MessageParams = {}) {
    super(401, 'unauthenticated', key, params);
  }
}
export class ForbiddenError extends AppError {
  constructor(key: MessageKey = 'error.forbidden', params: MessageParams = {}) {
    super(403, 'forbidden', key, params);
  }
}
export class NotFoundError extends AppError {
  constructor(key: MessageKey = 'error.notFound', params: MessageParams = {}) {
    super(404, 'not_found', key, params);
  }
}
/**
 * A record the input names (a parent unit, a template, a member) does not exist: 404 as the API
 * says, but about a field of the request rather than its target, so a form shows it beside the field.
 */
export class ReferenceNotFoundError extends NotFoundError {
  constructor(readonly field: string, key: MessageKey, params: MessageParams = {}) {
    super(key, params);
  }
}
export class ConflictError extends AppError {
  constructor(key: MessageKey, params: MessageParams = {}, details?: unknown) {
    super(409, 'conflict', key, params, details);
  }
}
export class PayloadTooLargeError extends AppError {
  constructor(key: MessageKey = 'error.payloadTooLarge', params: MessageParams = {}) {
    super(413, 'payload_too_large', key, params);
  }
}
export class UnsupportedMediaTypeError extends AppError {
  constructor(key: MessageKey, params: MessageParams = {}) {
    super(415, 'unsupported_media_type', key, params);
  }
}
export class TooManyRequestsError extends AppError {
  constructor(readonly retryAfterSeconds: number, key: MessageKey, params: MessageParams = {}) {
    super(429, 'too_many_requests', key, params);
  }
}
