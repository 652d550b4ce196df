import type { Role } from './vocabulary';

/** Who is calling: the user behind a valid session, as services and the access policy see them. */
export interface Actor {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  unitId: number | null;
}
