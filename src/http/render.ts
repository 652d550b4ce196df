import type { Request, Response } from 'express';
import { can, DIRECTORY, INSPECTIONS } from '../auth/policy';
import { type Actor } from '../core/actor';
import type { AppError } from '../core/errors';
import type { Lang, Role } from '../core/vocabulary';
import { type MessageKey, t } from '../i18n/messages';
import { takeFlash } from './flash';
import { fullPath, redirectToLogin, safeNextPath } from './page-requests';
import { appViews } from './views';

/*
 * One `render()` for every page: it adds what every page shows (the user, the navigation, the
 * language links, the CSRF token, the flash message) and the friendly error page.
 */

export interface NavEntry {
  section: string;
  href: string;
  label: MessageKey;
  /** Whether the entry is offered to `actor`: the page behind it asks the same question of the policy. */
  shownTo: (actor: Actor) => boolean;
}

/** The main navigation, in order; a page marks its entry with `nav: '<section>'`. */
export const NAVIGATION: readonly NavEntry[] = [
  { section: 'dashboard', href: '/', label: 'nav.dashboard', shownTo: () => true },
  { section: 'inspections', href: '/admin/inspections', label: 'nav.inspections', shownTo: (a) => can(a, 'manage', INSPECTIONS) },
  { section: 'units', href: '/admin/units', label: 'nav.units', shownTo: (a) => can(a, 'read', DIRECTORY) },
  { section: 'users', href: '/admin/users', label: 'nav.users', shownTo: (a) => can(a, 'read', DIRECTORY) },
  { section: 'templates', href: '/admin/templates', label: 'nav.templates', shownTo: (a) => can(a, 'read', DIRECTORY) },
  { section: 'import', href: '/admin/import', label: 'nav.import', shownTo: (a) => can(a, 'manage', DIRECTORY) },
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

/** The signed-in user as the layout shows them (name and role in the header). */
export interface PageUser {
  username: string;
  displayName: string;
  role: Role;
}

function withLang(pathAndQuery: string, lang: Lang): string {
  const url = new URL(pathAndQuery, 'http://hoso.invalid');
  url.searchParams.set('lang', lang);
  return url.pathname + url.search;
}

/**
 * Renders `view` (a path under views/, without `.hbs`) inside the layout, with the locals every
 * page has: `lang`, `user` (PageUser, absent when anonymous), `csrfToken`, `navigation` (the
 * entries this user is offered, the current one marked), `langLinks.{vi,en}`, `flash`
 * ({kind,text}), `requestId`. Pages are never cached: they hold a CSRF token and personal data.
 */
export function render(req: Request, res: Response, view: string, locals: PageLocals = {}, status = 200): void {
  const lang = req.lang;
  const actor = req.actor;
  const here = locals.langPath ?? (req.method === 'GET' ? (safeNextPath(req.originalUrl) ?? '/') : fullPath(req));
  const context = {
    ...locals,
    lang,
    user: actor ? ({ username: actor.username, displayName: actor.displayName, role: actor.role } satisfies PageUser) : undefined,
    csrfToken: req.csrfToken,
    navigation: actor && !locals.bare
      ? NAVIGATION.filter((n) => n.shownTo(actor)).map((n) => ({ href: n.href, label: n.label, current: n.section === locals.nav }))
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
