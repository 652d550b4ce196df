import type { Insertable, Kysely } from 'kysely';
import { MAX_ROW_ID } from '../db/dialect';
import type { Database, EntriesTable, FilesTable, FindingsTable, ReviewsTable } from '../db/schema';

type Conn = Kysely<Database>;

function entriesWithItems(db: Conn) {
  return db
    .selectFrom('entries as e')
    .innerJoin('inspection_items as ii', 'ii.id', 'e.item_id')
    .select([
      'e.id', 'e.inspection_id', 'e.unit_id', 'e.status', 'e.value_number', 'e.value_text', 'e.updated_at',
      'ii.code as item_code', 'ii.section', 'ii.title', 'ii.guidance', 'ii.kind', 'ii.required', 'ii.min_files', 'ii.position',
    ]);
}

export type EntryWithItem = NonNullable<Awaited<ReturnType<typeof findEntry>>>;

export async function findEntry(db: Conn, inspectionId: number, unitId: number, itemCode: string) {
  return entriesWithItems(db)
    .where('e.inspection_id', '=', inspectionId)
    .where('e.unit_id', '=', unitId)
    .where('ii.code', '=', itemCode)
    .executeTakeFirst();
}

export async function findEntryById(db: Conn, entryId: number) {
  return entriesWithItems(db).where('e.id', '=', entryId).executeTakeFirst();
}

export async function unitEntries(db: Conn, inspectionId: number, unitId: number) {
  return entriesWithItems(db).where('e.inspection_id', '=', inspectionId).where('e.unit_id', '=', unitId).orderBy('ii.position').execute();
}

export async function updateEntry(db: Conn, id: number, patch: Partial<Omit<EntriesTable, 'id'>>): Promise<void> {
  await db.updateTable('entries').set(patch).where('id', '=', id).execute();
}

/** The files a unit currently shows for these entries (withdrawn ones are kept but hidden). */
export async function currentFiles(db: Conn, entryIds: number[]) {
  if (entryIds.length === 0) return [];
  return db
    .selectFrom('files as f')
    .innerJoin('users as u', 'u.id', 'f.uploaded_by')
    .select(['f.id', 'f.entry_id', 'f.sha256', 'f.original_name', 'f.size', 'f.mime', 'f.uploaded_at', 'u.username as uploaded_by'])
    .where('f.entry_id', 'in', entryIds)
    .where('f.withdrawn_at', 'is', null)
    .orderBy('f.uploaded_at')
    .orderBy('f.id')
    .execute();
}

export async function countCurrentFiles(db: Conn, entryId: number): Promise<number> {
  const { n } = await db
    .selectFrom('files')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('entry_id', '=', entryId)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(n);
}

export async function reviewsOf(db: Conn, entryIds: number[]) {
  if (entryIds.length === 0) return [];
  return db
    .selectFrom('reviews as r')
    .innerJoin('users as u', 'u.id', 'r.reviewer_id')
    .select(['r.id', 'r.entry_id', 'r.decision', 'r.note', 'r.from_status', 'r.to_status', 'r.at', 'u.username as reviewer'])
    .where('r.entry_id', 'in', entryIds)
    .orderBy('r.id')
    .execute();
}

export async function insertReview(db: Conn, row: Insertable<ReviewsTable>): Promise<void> {
  await db.insertInto('reviews').values(row).execute();
}

/** Records a blob once: the same content uploaded again points at the same row. */
export async function insertBlobIfMissing(db: Conn, blob: { sha256: string; size: number; mime: string; created_at: string }): Promise<void> {
  await db.insertInto('blobs').values(blob).onConflict((oc) => oc.column('sha256').doNothing()).execute();
}

export async function insertFile(db: Conn, row: Insertable<FilesTable>): Promise<number> {
  const { id } = await db.insertInto('files').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** A file with everything needed to decide who may see it. */
export async function findFileWithContext(db: Conn, fileId: number) {
  // No file has a larger id, and PostgreSQL would fail the query rather than find nothing.
  if (fileId > MAX_ROW_ID) return undefined;
  return db
    .selectFrom('files as f')
    .innerJoin('entries as e', 'e.id', 'f.entry_id')
    .innerJoin('inspections as i', 'i.id', 'e.inspection_id')
    .innerJoin('units', 'units.id', 'e.unit_id')
    .innerJoin('inspection_items as ii', 'ii.id', 'e.item_id')
    .select([
      'f.id', 'f.entry_id', 'f.sha256', 'f.original_name', 'f.size', 'f.mime', 'f.withdrawn_at', 'f.uploaded_by',
      'i.code as inspection_code', 'units.code as unit_code', 'ii.code as item_code',
    ])
    .where('f.id', '=', fileId)
    .executeTakeFirst();
}

export async function markWithdrawn(db: Conn, fileId: number, by: number, at: string): Promise<void> {
  await db.updateTable('files').set({ withdrawn_at: at, withdrawn_by: by }).where('id', '=', fileId).execute();
}

export async function findFindings(db: Conn, inspectionId: number, unitId: number) {
  return db
    .selectFrom('findings as f')
    .leftJoin('users as u', 'u.id', 'f.updated_by')
    .select(['f.strengths', 'f.shortcomings', 'f.recommendations', 'f.conclusion', 'f.updated_at', 'u.username as updated_by'])
    .where('f.inspection_id', '=', inspectionId)
    .where('f.unit_id', '=', unitId)
    .executeTakeFirst();
}

export async function upsertFindings(db: Conn, row: FindingsTable): Promise<void> {
  const { inspection_id: _i, unit_id: _u, ...changes } = row;
  await db
    .insertInto('findings')
    .values(row)
    .onConflict((oc) => oc.columns(['inspection_id', 'unit_id']).doUpdateSet(changes))
    .execute();
}
