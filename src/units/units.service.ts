import type { Kysely } from 'kysely';
import { recordEvent } from '../audit/audit.service';
import { authorize, DIRECTORY } from '../auth/policy';
import type { Actor } from '../core/actor';
import { nowIso } from '../core/clock';
import { ConflictError, NotFoundError, ReferenceNotFoundError, ValidationError } from '../core/errors';
import { inTransaction } from '../core/transaction';
import type { Database } from '../db/schema';
import * as repo from './units.repository';
import type { CreateUnitInput, UnitView, UpdateUnitInput } from './units.schemas';

export function presentUnit(u: repo.UnitWithParent): UnitView {
  return { code: u.code, name: u.name, parentCode: u.parent_code ?? null };
}

async function parentIdOf(db: Kysely<Database>, parentCode: string | null | undefined): Promise<number | null> {
  if (!parentCode) return null;
  const parent = await repo.findUnitByCode(db, parentCode);
  if (!parent) throw new ReferenceNotFoundError('parentCode', 'unit.parentNotFound', { code: parentCode });
  return parent.id;
}

/** Creates a unit under an existing parent; codes are unique (409 otherwise). Joins `db`'s transaction when it is one. */
export async function createUnit(db: Kysely<Database>, actor: Actor, input: CreateUnitInput): Promise<UnitView> {
  authorize(actor, 'manage', DIRECTORY);
  return inTransaction(db, async (trx) => {
    if (await repo.findUnitByCode(trx, input.code)) throw new ConflictError('unit.exists', { code: input.code });
    const parentId = await parentIdOf(trx, input.parentCode);
    await repo.insertUnit(trx, { code: input.code, name: input.name, parent_id: parentId, created_at: nowIso() });
    await recordEvent(trx, actor, { action: 'unit.create', objectType: 'unit', objectId: input.code, details: { ...input } });
    return { code: input.code, name: input.name, parentCode: input.parentCode ?? null };
  });
}

/** Renames or moves a unit; a unit can never become its own ancestor. */
export async function updateUnit(db: Kysely<Database>, actor: Actor, code: string, input: UpdateUnitInput): Promise<UnitView> {
  authorize(actor, 'manage', DIRECTORY);
  return inTransaction(db, async (trx) => {
    const unit = await repo.findUnitByCode(trx, code);
    if (!unit) throw new NotFoundError('unit.notFound', { code });
    const patch: { name?: string; parent_id?: number | null } = {};
    if (input.name !== undefined) patch.name = input.name;
    if (input.parentCode !== undefined) {
      const parentId = await parentIdOf(trx, input.parentCode);
      if (parentId !== null && (await repo.ancestorIds(trx, parentId)).includes(unit.id)) {
        throw new ValidationError([{ field: 'parentCode', message: 'cycle' }]);
      }
      patch.parent_id = parentId;
    }
    // An empty PATCH changes nothing, so it writes nothing (an UPDATE without columns is not even SQL).
    if (Object.keys(patch).length === 0) return presentUnit(unit);
    await repo.updateUnit(trx, unit.id, patch);
    await recordEvent(trx, actor, { action: 'unit.update', objectType: 'unit', objectId: code, details: { ...input } });
    const updated = await repo.findUnitByCode(trx, code);
    return presentUnit(updated as repo.UnitWithParent);
  });
}

export async function listUnits(db: Kysely<Database>, actor: Actor): Promise<UnitView[]> {
  authorize(actor, 'read', DIRECTORY);
  return (await repo.listUnits(db)).map(presentUnit);
}

export async function getUnit(db: Kysely<Database>, actor: Actor, code: string): Promise<UnitView> {
  authorize(actor, 'read', DIRECTORY);
  const unit = await repo.findUnitByCode(db, code);
  if (!unit) throw new NotFoundError('unit.notFound', { code });
  return presentUnit(unit);
}
