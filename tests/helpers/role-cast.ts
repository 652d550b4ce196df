import { buildInspection, buildUser } from './factories';
import { ADMIN_PASSWORD, loginToken, type TestContext } from './test-app';

/**
 * Everyone §3 distinguishes, seen from unit A of an open two-unit inspection: the admin, the
 * team's lead and member, unit A's own secretary, the other unit's secretary, a secretary and an
 * inspector from outside the inspection, and someone not signed in.
 */
export type Role = 'admin' | 'lead' | 'member' | 'ownSecretary' | 'otherSecretary' | 'outsideSecretary' | 'outsideInspector' | 'anonymous';
export const ROLES: Role[] = ['admin', 'lead', 'member', 'ownSecretary', 'otherSecretary', 'outsideSecretary', 'outsideInspector', 'anonymous'];

export interface RoleCast {
  code: string;
  unitA: string;
  built: Awaited<ReturnType<typeof buildInspection>>;
  /** Bearer tokens; `anonymous` has none. */
  tokens: Record<Role, string | undefined>;
}

export async function buildRoleCast(ctx: TestContext): Promise<RoleCast> {
  const built = await buildInspection(ctx.db, ctx.admin, { units: 2 });
  const outsideSecretary = await buildUser(ctx.db, ctx.admin, { role: 'secretary' });
  const outsideInspector = await buildUser(ctx.db, ctx.admin, { role: 'inspector' });
  const login = (u: { username: string; password: string }) => loginToken(ctx.app, u.username, u.password);
  const tokens: Record<Role, string | undefined> = {
    admin: await loginToken(ctx.app, 'admin', ADMIN_PASSWORD),
    lead: await login(built.lead),
    member: await login(built.member),
    ownSecretary: await login(built.secretaries[0]!),
    otherSecretary: await login(built.secretaries[1]!),
    outsideSecretary: await login(outsideSecretary),
    outsideInspector: await login(outsideInspector),
    anonymous: undefined,
  };
  return { code: built.code, unitA: built.units[0]!.code, built, tokens };
}
