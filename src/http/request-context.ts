import type { Lang } from '../i18n/messages';
import type { Role } from '../db/schema';

/** Who is calling: the user behind a valid session, as services see them. */
export interface Actor {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  unitId: number | null;
}

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
