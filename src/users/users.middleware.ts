import type { NextFunction, Request, Response } from 'express';
import { isLang } from '../core/vocabulary';
import type { AppContext } from '../http/app-context';
import { setOwnLanguage } from './users.service';

/** After authentication: a signed-in user's `?lang=` choice is remembered on their account. */
export function rememberLanguage({ db }: AppContext) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    if (req.actor && isLang(req.query.lang)) await setOwnLanguage(db, req.actor, req.query.lang);
    next();
  };
}
