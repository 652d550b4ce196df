import type { Role } from '../core/vocabulary';
import { ForbiddenError } from '../core/errors';
import type { Actor } from '../core/actor';

/** Refuses with 403 unless the actor has one of `roles`. */
export function requireRole(actor: Actor, ...roles: Role[]): void {
  if (!roles.includes(actor.role)) throw new ForbiddenError();
}

/** Units, users and templates: administrators keep them, inspectors may read them (§3). */
export function requireDirectoryReader(actor: Actor): void {
  requireRole(actor, 'admin', 'inspector');
}
