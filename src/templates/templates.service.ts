import type { Kysely } from 'kysely';
import { recordEvent } from '../audit/audit.service';
import { authorize, DIRECTORY } from '../auth/policy';
import type { Actor } from '../core/actor';
import { nowIso } from '../core/clock';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { inTransaction } from '../core/transaction';
import type { Database } from '../db/schema';
import { duplicateItemCode, itemRows, presentItem } from './checklist-items';
import * as repo from './templates.repository';
import type { CreateTemplateInput, TemplateView, UpdateTemplateInput } from './templates.schemas';

function refuseDuplicateItems(items: { code: string }[]): void {
  const duplicate = duplicateItemCode(items);
  if (duplicate) throw new ValidationError([{ field: 'items', message: `duplicate code ${duplicate}` }], 'template.duplicateItem', { code: duplicate });
}

/** Creates a checklist template with its ordered items. */
export async function createTemplate(db: Kysely<Database>, actor: Actor, input: CreateTemplateInput): Promise<TemplateView> {
  authorize(actor, 'manage', DIRECTORY);
  refuseDuplicateItems(input.items);
  return inTransaction(db, async (trx) => {
    if (await repo.findTemplateByCode(trx, input.code)) throw new ConflictError('template.exists', { code: input.code });
    const now = nowIso();
    const id = await repo.insertTemplate(trx, { code: input.code, title: input.title, created_at: now, updated_at: now });
    await repo.replaceTemplateItems(trx, id, itemRows(input.items));
    await recordEvent(trx, actor, { action: 'template.create', objectType: 'template', objectId: input.code, details: { title: input.title, items: input.items.length } });
    return getTemplateIn(trx, input.code);
  });
}

/**
 * Replaces a template's title and items. Inspections already created keep the copy they took, so
 * this never changes a running inspection.
 */
export async function updateTemplate(db: Kysely<Database>, actor: Actor, code: string, input: UpdateTemplateInput): Promise<TemplateView> {
  authorize(actor, 'manage', DIRECTORY);
  refuseDuplicateItems(input.items);
  return inTransaction(db, async (trx) => {
    const template = await repo.findTemplateByCode(trx, code);
    if (!template) throw new NotFoundError('template.notFound', { code });
    await repo.updateTemplate(trx, template.id, { title: input.title, updated_at: nowIso() });
    await repo.replaceTemplateItems(trx, template.id, itemRows(input.items));
    await recordEvent(trx, actor, { action: 'template.update', objectType: 'template', objectId: code, details: { title: input.title, items: input.items.length } });
    return getTemplateIn(trx, code);
  });
}

async function getTemplateIn(db: Kysely<Database>, code: string): Promise<TemplateView> {
  const template = await repo.findTemplateByCode(db, code);
  if (!template) throw new NotFoundError('template.notFound', { code });
  const items = await repo.templateItems(db, template.id);
  return { code: template.code, title: template.title, items: items.map(presentItem) };
}

export async function getTemplate(db: Kysely<Database>, actor: Actor, code: string): Promise<TemplateView> {
  authorize(actor, 'read', DIRECTORY);
  return getTemplateIn(db, code);
}

export async function listTemplates(db: Kysely<Database>, actor: Actor): Promise<TemplateView[]> {
  authorize(actor, 'read', DIRECTORY);
  const templates = await repo.listTemplates(db);
  return Promise.all(templates.map((t) => getTemplateIn(db, t.code)));
}
