import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Lang } from '../core/vocabulary';
import { type MessageKey, type MessageParams, t } from '../i18n/messages';
import { pageCookieName, pageCookieOptions, signedCookie } from './cookies';

/** A message shown once on the next page this browser renders, after a redirect. */

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

/** Parameters as the cookie carries them: a nested message (a status word) is worded now. */
function plainParams(lang: Lang, params: MessageParams): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, typeof value === 'object' ? t(lang, value.key) : typeof value === 'string' ? value.slice(0, 300) : value]),
  );
}

/** Shows `flash` on the next page rendered for this browser (a signed cookie, read once, gone in a minute). */
export function setFlash(req: Request, res: Response, flash: Flash): void {
  const payload = Buffer.from(JSON.stringify({ ...flash, params: plainParams(req.lang, flash.params ?? {}) })).toString('base64url');
  res.cookie(pageCookieName(req, FLASH_COOKIE), payload, { ...pageCookieOptions(req, 'lax'), signed: true, maxAge: 60_000 });
}

/** After a form action: 303 to `to` (a GET), with a message for the page it lands on. */
export function redirectWithFlash(req: Request, res: Response, to: string, flash: Flash): void {
  setFlash(req, res, flash);
  res.redirect(303, to);
}

/** The message waiting for this page, worded in `lang`; the cookie is cleared whether or not it was valid. */
export function takeFlash(req: Request, res: Response, lang: Lang): { kind: FlashKind; text: string } | undefined {
  const name = pageCookieName(req, FLASH_COOKIE);
  if ((req.cookies as Record<string, unknown>)[name] === undefined && (req.signedCookies as Record<string, unknown>)[name] === undefined) return undefined;
  res.clearCookie(name, pageCookieOptions(req, 'lax'));
  const payload = signedCookie(req, name);
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
