import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

// Frozen once landed: never edit; add 0002_… instead. Imports nothing from src/.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was, not as it is
type Db = Kysely<any>;

/** An auto-numbered primary key: INTEGER PRIMARY KEY on SQLite, an identity column on PostgreSQL. */
function idColumn(db: Db) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  return (col: ColumnDefinitionBuilder) =>
    pg ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement();
}

export async function up(db: Db): Promise<void> {
  const id = idColumn(db);

  await db.schema
    .createTable('units')
    .addColumn('id', 'integer', id)
    .addColumn('code', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'integer', (c) => c.references('units.id'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('units_parent_idx').on('units').column('parent_id').execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', id)
    .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('unit_id', 'integer', (c) => c.references('units.id'))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('lang', 'varchar(8)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_seen_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('login_attempts')
    .addColumn('id', 'integer', id)
    .addColumn('username', 'varchar(64)', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)', (c) => c.notNull())
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_attempts_username_idx').on('login_attempts').columns(['username', 'at']).execute();
  await db.schema.createIndex('login_attempts_ip_idx').on('login_attempts').columns(['ip', 'at']).execute();

  await db.schema
    .createTable('templates')
    .addColumn('id', 'integer', id)
    .addColumn('code', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await createInspections(db, id);

  // Both item tables hold the same columns: an inspection copies its template's items at creation.
  for (const [table, owner, ownerTable] of [
    ['template_items', 'template_id', 'templates'],
    ['inspection_items', 'inspection_id', 'inspections'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('id', 'integer', id)
      .addColumn(owner, 'integer', (c) => c.notNull().references(`${ownerTable}.id`))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('code', 'varchar(32)', (c) => c.notNull())
      .addColumn('section', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('guidance', 'text', (c) => c.notNull())
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('required', 'integer', (c) => c.notNull())
      .addColumn('min_files', 'integer', (c) => c.notNull())
      .addUniqueConstraint(`${table}_code_uq`, [owner, 'code'])
      .execute();
  }

  await db.schema
    .createTable('inspection_units')
    .addColumn('inspection_id', 'integer', (c) => c.notNull().references('inspections.id'))
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('units.id'))
    .addPrimaryKeyConstraint('inspection_units_pk', ['inspection_id', 'unit_id'])
    .execute();
  await db.schema.createIndex('inspection_units_unit_idx').on('inspection_units').column('unit_id').execute();

  await db.schema
    .createTable('inspection_members')
    .addColumn('inspection_id', 'integer', (c) => c.notNull().references('inspections.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addPrimaryKeyConstraint('inspection_members_pk', ['inspection_id', 'user_id'])
    .execute();
  await db.schema.createIndex('inspection_members_user_idx').on('inspection_members').column('user_id').execute();

  await db.schema
    .createTable('entries')
    .addColumn('id', 'integer', id)
    .addColumn('inspection_id', 'integer', (c) => c.notNull().references('inspections.id'))
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('units.id'))
    .addColumn('item_id', 'integer', (c) => c.notNull().references('inspection_items.id'))
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('value_number', 'double precision')
    .addColumn('value_text', 'text')
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('users.id'))
    .addUniqueConstraint('entries_uq', ['inspection_id', 'unit_id', 'item_id'])
    .execute();

  await db.schema
    .createTable('blobs')
    .addColumn('sha256', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mime', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('files')
    .addColumn('id', 'integer', id)
    .addColumn('entry_id', 'integer', (c) => c.notNull().references('entries.id'))
    .addColumn('sha256', 'varchar(64)', (c) => c.notNull().references('blobs.sha256'))
    .addColumn('original_name', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mime', 'varchar(128)', (c) => c.notNull())
    .addColumn('uploaded_by', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('uploaded_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('withdrawn_at', 'varchar(32)')
    .addColumn('withdrawn_by', 'integer', (c) => c.references('users.id'))
    .execute();
  await db.schema.createIndex('files_entry_idx').on('files').column('entry_id').execute();
  await db.schema.createIndex('files_sha256_idx').on('files').column('sha256').execute();

  await db.schema
    .createTable('reviews')
    .addColumn('id', 'integer', id)
    .addColumn('entry_id', 'integer', (c) => c.notNull().references('entries.id'))
    .addColumn('decision', 'varchar(16)', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('from_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('to_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('reviewer_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('reviews_entry_idx').on('reviews').column('entry_id').execute();

  await db.schema
    .createTable('findings')
    .addColumn('inspection_id', 'integer', (c) => c.notNull().references('inspections.id'))
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('units.id'))
    .addColumn('strengths', 'text', (c) => c.notNull())
    .addColumn('shortcomings', 'text', (c) => c.notNull())
    .addColumn('recommendations', 'text', (c) => c.notNull())
    .addColumn('conclusion', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('users.id'))
    .addPrimaryKeyConstraint('findings_pk', ['inspection_id', 'unit_id'])
    .execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'integer', id)
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .addColumn('actor_id', 'integer')
    .addColumn('actor_username', 'varchar(64)')
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addColumn('object_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('inspection_code', 'varchar(64)')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('hash', 'varchar(64)', (c) => c.notNull().unique())
    .execute();
  await db.schema.createIndex('audit_events_inspection_idx').on('audit_events').columns(['inspection_code', 'id']).execute();
}

async function createInspections(db: Db, id: ReturnType<typeof idColumn>): Promise<void> {
  await db.schema
    .createTable('inspections')
    .addColumn('id', 'integer', id)
    .addColumn('code', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('team_name', 'text', (c) => c.notNull())
    .addColumn('template_code', 'varchar(64)', (c) => c.notNull())
    .addColumn('template_title', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('due_at', 'varchar(32)')
    .addColumn('parent_body', 'text')
    .addColumn('place', 'text')
    .addColumn('report_number', 'varchar(64)')
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('opened_at', 'varchar(32)')
    .addColumn('closed_at', 'varchar(32)')
    .execute();
}

export async function down(db: Db): Promise<void> {
  for (const table of [
    'audit_events', 'findings', 'reviews', 'files', 'blobs', 'entries', 'inspection_members',
    'inspection_units', 'inspection_items', 'inspections', 'template_items', 'templates',
    'login_attempts', 'sessions', 'users', 'units',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
