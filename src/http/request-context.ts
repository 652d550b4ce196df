import type { Actor } from '../core/actor';
import type { Lang } from '../core/vocabulary';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express types are extended by merging
  namespace Express {
    interface Request {
      actor?: Actor;
      /** Set when the caller authenticated with the session cookie (so writes need the CSRF token). */
      sessionViaCookie?: boolean;
      sessionId?: string;
      csrfToken?: string;
      lang: Lang;
    }
  }
}
