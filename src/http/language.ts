import type { NextFunction, Request, Response } from 'express';
import { isLang, type Lang } from '../core/vocabulary';

export const LANG_COOKIE = 'hoso_lang';
const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** Before authentication: `?lang=`, else the remembered cookie, else the configured default. */
export function chooseLanguage(defaultLang: Lang) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const asked = req.query.lang;
    const cookie = (req.cookies as Record<string, string | undefined>)[LANG_COOKIE];
    if (isLang(asked)) {
      req.lang = asked;
      if (asked !== cookie) res.cookie(LANG_COOKIE, asked, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/', maxAge: ONE_YEAR_MS });
    } else {
      req.lang = isLang(cookie) ? cookie : defaultLang;
    }
    next();
  };
}
