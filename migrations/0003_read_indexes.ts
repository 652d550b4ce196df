import type { Kysely } from 'kysely';

// Frozen once landed: never edit; add the next migration instead. Imports nothing from src/.
// Indexes for reads at province scale (1,000 units × 40 items), found by `npm run bench`.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was, not as it is
export async function up(db: Kysely<any>): Promise<void> {
  // Progress counts entries per unit and status: with this index they are read from the index
  // alone, in unit order, instead of from 40,000 table rows.
  await db.schema.createIndex('entries_progress_idx').on('entries').columns(['inspection_id', 'unit_id', 'status', 'item_id']).execute();
  // The number totals of the summary report join entries by item: without it, one scan of the
  // whole entries table per number item.
  await db.schema.createIndex('entries_item_idx').on('entries').column('item_id').execute();
  // "Current files" (not withdrawn) per entry, counted for the matrix exports from the index alone;
  // it also serves every lookup by entry that files_entry_idx served, so that one goes.
  await db.schema.createIndex('files_entry_current_idx').on('files').columns(['entry_id', 'withdrawn_at']).execute();
  await db.schema.dropIndex('files_entry_idx').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('files_entry_idx').on('files').column('entry_id').execute();
  await db.schema.dropIndex('files_entry_current_idx').execute();
  await db.schema.dropIndex('entries_item_idx').execute();
  await db.schema.dropIndex('entries_progress_idx').execute();
}
