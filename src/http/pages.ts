import { createHmac, randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import type { Role } from '../core/vocabulary';
import { type Lang } from '../core/vocabulary';
import { type MessageKey, type MessageParams, t } from '../i18n/messages';
import { AppError, UnauthenticatedError } from '../core/errors';
import type { Actor } from '../core/actor';
import { sameToken } from './security';
import { appViews } from './views';

/*
 * Helpers for server-rendered pages: one `render()` that adds what every page shows (user,
 * navigation, language links, CSRF token, flash message), flash messages across a redirect,
 * safe "come back here after signing in" paths, form validation with field errors, and the
 * login form's CSRF token (the one form posted before a session exists).
 */

/**
 * Signs the short-lived cookies pages set (login CSRF, flash) with the key `createApp` puts in
 * `app.locals.pageCookieKey`: shared by every server through the database (auth/app-secrets.ts),
 * so a login page served by one server can be posted to another.
 */
function mac(req: Request, value: string): string {
  return createHmac('sha256', req.app.locals.pageCookieKey as Buffer).update(value).digest('base64url');
}

function sign(req: Request, value: string): string {
  return `${value}.${mac(req, value)}`;
}

/** The value inside a signed string, or undefined when the signature does not hold. */
function unsign(req: Request, signed: string): string | undefined {
  const dot = signed.lastIndexOf('.');
  if (dot < 0) return undefined;
  const value = signed.slice(0, dot);
  return sameToken(signed.slice(dot + 1), mac(req, value)) ? value : undefined;
}

function cookie(req: Request, name: string): string | undefined {
  return (req.cookies as Record<string, string | undefined>)[name];
}

/** Behind TLS, cookies take the __Host- prefix (Secure, Path=/, no Domain) like the session cookie. */
function cookieName(req: Request, base: string): string {
  return req.secure ? `__Host-${base}` : base;
}

// ————— which requests are pages —————

/** The request's path from the root, wherever the handler is mounted. */
function fullPath(req: Request): string {
  return req.originalUrl.split('?')[0] ?? '/';
}

/** A request for a page rather than the API or a static file: HTML is acceptable, and it is not under /api/ or /static/. */
export function isPageRequest(req: Request): boolean {
  const path = fullPath(req);
  if (/^\/(api|static)(\/|$)/.test(path) || path === '/healthz') return false;
  return req.accepts('html') !== false;
}

/** Paths an anonymous visitor may open; everything else sends them to the login page. */
const PUBLIC_PAGES = new Set(['/login']);

/** Sends an anonymous visit to any page (known or not) to the login page. */
export function sendAnonymousToLogin(req: Request, _res: Response, next: NextFunction): void {
  if (req.actor || !isPageRequest(req) || PUBLIC_PAGES.has(fullPath(req))) return next();
  next(new UnauthenticatedError());
}

/** The signed-in user of a page request (an anonymous one is sent to the login page). */
export function pageActor(req: Request): Actor {
  if (!req.actor) throw new UnauthenticatedError();
  return req.actor;
}

/**
 * `value` when it is a path on this site (`/admin/units?lang=en`), else undefined: never another
 * host (`//evil`, `/\evil`, `https://…`), so "back to where you were" cannot become an open redirect.
 */
export function safeNextPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  if (!/^\/(?![/\\])/.test(value) || /[\u0000-\u001f\\]/.test(value)) return undefined;
  const base = 'http://hoso.invalid';
  const url = new URL(value, base);
  return url.origin === base ? url.pathname + url.search : undefined;
}

/** 303 to the login page; a GET remembers where it was going. */
export function redirectToLogin(req: Request, res: Response): void {
  const next = req.method === 'GET' ? safeNextPath(req.originalUrl) : undefined;
  res.redirect(303, next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login');
}

// ————— flash messages —————

export type FlashKind = 'success' | 'error' | 'info';
export interface Flash {
  kind: FlashKind;
  key: MessageKey;
  params?: MessageParams;
}

const FLASH_COOKIE = 'hoso_flash';
const FlashSchema = z.object({
  kind: z.enum(['success', 'error', 'info']),
  key: z.string().max(100),
  params: z.record(z.string(), z.union([z.string().max(300), z.number()])).optional(),
});

/** Shows `flash` on the next page rendered for this browser (a signed cookie, read once, gone in a minute). */
export function setFlash(req: Request, res: Response, flash: Flash): void {
  const params = Object.fromEntries(
    Object.entries(flash.params ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v.slice(0, 300) : v]),
  );
  const payload = Buffer.from(JSON.stringify({ ...flash, params })).toString('base64url');
  res.cookie(cookieName(req, FLASH_COOKIE), sign(req, payload), { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/', maxAge: 60_000 });
}

/** After a form action: 303 to `to` (a GET), with a message for the page it lands on. */
export function redirectWithFlash(req: Request, res: Response, to: string, flash: Flash): void {
  setFlash(req, res, flash);
  res.redirect(303, to);
}

function takeFlash(req: Request, res: Response, lang: Lang): { kind: FlashKind; text: string } | undefined {
  const name = cookieName(req, FLASH_COOKIE);
  const raw = cookie(req, name);
  if (raw === undefined) return undefined;
  res.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
  const payload = unsign(req, raw);
  if (!payload) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const flash = FlashSchema.safeParse(json);
  if (!flash.success) return undefined;
  return { kind: flash.data.kind, text: t(lang, flash.data.key as MessageKey, flash.data.params) };
}

// ————— rendering —————

export interface NavEntry {
  section: string;
  href: string;
  label: MessageKey;
  roles: readonly Role[];
}

/** The main navigation, in order; a page marks its entry with `nav: '<section>'`. */
export const NAVIGATION: readonly NavEntry[] = [
  { section: 'dashboard', href: '/', label: 'nav.dashboard', roles: ['admin', 'inspector', 'secretary'] },
  { section: 'inspections', href: '/admin/inspections', label: 'nav.inspections', roles: ['admin'] },
  { section: 'units', href: '/admin/units', label: 'nav.units', roles: ['admin', 'inspector'] },
  { section: 'users', href: '/admin/users', label: 'nav.users', roles: ['admin', 'inspector'] },
  { section: 'templates', href: '/admin/templates', label: 'nav.templates', roles: ['admin', 'inspector'] },
  { section: 'import', href: '/admin/import', label: 'nav.import', roles: ['admin'] },
];

export interface PageLocals {
  /** The page's heading and <title>, already worded (use `t()`). */
  title?: string;
  /** Which navigation entry is current. */
  nav?: string;
  /** Where the language links point (default: this URL for a GET, this path otherwise). */
  langPath?: string;
  /** A page without navigation (the login page). */
  bare?: boolean;
  [name: string]: unknown;
}

export interface PageUser {
  username: string;
  displayName: string;
  role: Role;
  isAdmin: boolean;
  isInspector: boolean;
  isSecretary: boolean;
  /** Admins and inspectors: units, users and templates (read-only for inspectors). */
  canReadDirectory: boolean;
}

export function presentPageUser(actor: Actor): PageUser {
  return {
    username: actor.username,
    displayName: actor.displayName,
    role: actor.role,
    isAdmin: actor.role === 'admin',
    isInspector: actor.role === 'inspector',
    isSecretary: actor.role === 'secretary',
    canReadDirectory: actor.role === 'admin' || actor.role === 'inspector',
  };
}

function withLang(pathAndQuery: string, lang: Lang): string {
  const url = new URL(pathAndQuery, 'http://hoso.invalid');
  url.searchParams.set('lang', lang);
  return url.pathname + url.search;
}

/**
 * Renders `view` (a path under views/, without `.hbs`) inside the layout, with the locals every
 * page has: `lang`, `user` (PageUser, absent when anonymous), `csrfToken`, `nav` (entries for this
 * role, the current one marked), `langLinks.{vi,en}`, `flash` ({kind,text}), `requestId`.
 * Pages are never cached: they hold a CSRF token and personal data.
 */
export function render(req: Request, res: Response, view: string, locals: PageLocals = {}, status = 200): void {
  const lang = req.lang;
  const here = locals.langPath ?? (req.method === 'GET' ? (safeNextPath(req.originalUrl) ?? '/') : fullPath(req));
  const context = {
    ...locals,
    lang,
    user: req.actor ? presentPageUser(req.actor) : undefined,
    csrfToken: req.csrfToken,
    navigation: req.actor && !locals.bare
      ? NAVIGATION.filter((n) => req.actor && n.roles.includes(req.actor.role)).map((n) => ({ ...n, current: n.section === locals.nav }))
      : [],
    langLinks: { vi: withLang(here, 'vi'), en: withLang(here, 'en') },
    flash: takeFlash(req, res, lang),
    requestId: typeof req.id === 'string' ? req.id : undefined,
  };
  const html = appViews().render(view, context);
  res.status(status).set('Cache-Control', 'no-store').type('html').send(html);
}

/** Status lines for error pages; the message of the error itself is shown below it. */
const ERROR_TITLES: Record<number, MessageKey> = {
  400: 'errorPage.400', 403: 'errorPage.403', 404: 'errorPage.404', 409: 'errorPage.409',
  413: 'errorPage.413', 415: 'errorPage.415', 429: 'errorPage.429',
};

/**
 * The friendly HTML answer to an error on a page: 401 goes to the login page; others render
 * errors/error with the status, a message in the user's language and, for a 500, the request id
 * (never a stack).
 */
export function renderErrorPage(req: Request, res: Response, error: AppError | undefined, requestId: string): void {
  if (error?.status === 401) return redirectToLogin(req, res);
  const status = error?.status ?? 500;
  const message = error ? t(req.lang, error.messageKey, error.params) : t(req.lang, 'error.internal', { requestId });
  try {
    render(req, res, 'errors/error', {
      title: t(req.lang, ERROR_TITLES[status] ?? 'errorPage.500'),
      status,
      message,
      hint: status === 404 ? t(req.lang, 'errorPage.404Hint') : status === 403 ? t(req.lang, 'errorPage.403Hint') : undefined,
      internal: status === 500,
      langPath: '/',
    }, status);
  } catch (renderError) {
    // Never let a broken template reach Express's default handler, which would print a stack.
    req.log.error({ err: renderError }, 'error page failed to render');
    res.status(status).type('text').send(message);
  }
}

// ————— forms —————

/** Field path (`code`, `items.3.title`) → message, in the request's language. */
export type FieldErrors = Record<string, string>;

const localeErrors = { vi: z.locales.vi().localeError, en: z.locales.en().localeError };

/**
 * One zod issue in words a person filling a form understands. The schemas' own messages are for API
 * clients (and in English), so the common cases are worded here; the rest falls back to zod's
 * translated message.
 */
export function issueMessage(issue: z.core.$ZodIssue, lang: Lang): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined || issue.input === null ? t(lang, 'form.required') : t(lang, 'form.invalid');
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? t(lang, 'form.required') : t(lang, 'form.tooShort', { min: Number(issue.minimum) });
      if (issue.origin === 'array') return t(lang, 'form.tooFewRows', { min: Number(issue.minimum) });
      return t(lang, 'form.tooSmall', { min: Number(issue.minimum) });
    case 'too_big':
      if (issue.origin === 'string') return t(lang, 'form.tooLong', { max: Number(issue.maximum) });
      if (issue.origin === 'array') return t(lang, 'form.tooManyRows', { max: Number(issue.maximum) });
      return t(lang, 'form.tooBig', { max: Number(issue.maximum) });
    case 'invalid_format':
      return t(lang, 'form.invalidCode');
    case 'invalid_value':
      return t(lang, 'form.invalidChoice');
    default:
      return issue.message;
  }
}

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
 * A form action: validate `raw` with `schema`, then `act` on the result. Invalid input, a conflict
 * or a missing referenced record come back as a FormFailure for the page to show beside the form;
 * anything else (403, a bug) is thrown to the error page.
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
    if (err instanceof AppError && [400, 404, 409].includes(err.status)) {
      return { ok: false, status: err.status, message: t(req.lang, err.messageKey, err.params), errors: {} };
    }
    throw err;
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

// ————— the login form's CSRF token —————

/*
 * Before a session exists there is no session CSRF token, so the login form uses a signed double
 * submit: a random value, signed with the process key, in an HttpOnly SameSite=Strict cookie and
 * the same value in a hidden field. A cross-site page can neither read the cookie nor make one
 * that verifies.
 */
const LOGIN_CSRF_COOKIE = 'hoso_login_csrf';
const LOGIN_CSRF_MAX_AGE_MS = 12 * 60 * 60 * 1000;

/** The token for the login form's `_csrf` field; sets its cookie unless the browser holds a valid one. */
export function issueLoginCsrf(req: Request, res: Response): string {
  const name = cookieName(req, LOGIN_CSRF_COOKIE);
  const held = cookie(req, name);
  // Reusing a valid token keeps a second login tab from invalidating the first one's form.
  if (held && unsign(req, held)) return held;
  const token = sign(req, randomBytes(24).toString('base64url'));
  res.cookie(name, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: LOGIN_CSRF_MAX_AGE_MS });
  return token;
}

/** True when the form's `_csrf` equals the cookie (constant time) and carries our signature. */
export function verifyLoginCsrf(req: Request): boolean {
  const held = cookie(req, cookieName(req, LOGIN_CSRF_COOKIE));
  const submitted = formFields(req)._csrf;
  return Boolean(held && submitted && sameToken(held, submitted) && unsign(req, held));
}

export function clearLoginCsrf(req: Request, res: Response): void {
  res.clearCookie(cookieName(req, LOGIN_CSRF_COOKIE), { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
}
