import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { ItemColumns } from './checklist-items';

type Conn = Kysely<Database>;

export async function findTemplateByCode(db: Conn, code: string) {
  return db.selectFrom('templates').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function listTemplates(db: Conn) {
  return db.selectFrom('templates').selectAll().orderBy('code').execute();
}

export async function templateItems(db: Conn, templateId: number) {
  return db.selectFrom('template_items').selectAll().where('template_id', '=', templateId).orderBy('position').execute();
}

export async function insertTemplate(db: Conn, row: { code: string; title: string; created_at: string; updated_at: string }): Promise<number> {
  const { id } = await db.insertInto('templates').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateTemplate(db: Conn, id: number, patch: { title: string; updated_at: string }): Promise<void> {
  await db.updateTable('templates').set(patch).where('id', '=', id).execute();
}

export async function replaceTemplateItems(db: Conn, templateId: number, items: ItemColumns[]): Promise<void> {
  await db.deleteFrom('template_items').where('template_id', '=', templateId).execute();
  // Chunked: SQLite caps the number of bound parameters in one statement.
  for (let i = 0; i < items.length; i += 50) {
    await db
      .insertInto('template_items')
      .values(items.slice(i, i + 50).map((item) => ({ ...item, template_id: templateId })))
      .execute();
  }
}
