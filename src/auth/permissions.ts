import type { Role } from '../db/schema';
import { ForbiddenError } from '../http/errors';
import type { Actor } from '../http/request-context';

/** Refuses with 403 unless the actor has one of `roles`. */
export function requireRole(actor: Actor, ...roles: Role[]): void {
  if (!roles.includes(actor.role)) throw new ForbiddenError();
}

/** Units, users and templates: administrators keep them, inspectors may read them (§3). */
export function requireDirectoryReader(actor: Actor): void {
  requireRole(actor, 'admin', 'inspector');
}
