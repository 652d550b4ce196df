import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { EntryStatus, InspectionStatus, ItemKind, MemberRole, ReviewDecision, Role } from '../core/vocabulary';

/**
 * Every table as the database returns it. Times are ISO-8601 strings, flags are 0/1 integers,
 * absent values are `null`: the same on SQLite and PostgreSQL.
 */
export interface Database {
  units: UnitsTable;
  users: UsersTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  templates: TemplatesTable;
  template_items: TemplateItemsTable;
  inspections: InspectionsTable;
  inspection_items: InspectionItemsTable;
  inspection_units: InspectionUnitsTable;
  inspection_members: InspectionMembersTable;
  entries: EntriesTable;
  blobs: BlobsTable;
  files: FilesTable;
  reviews: ReviewsTable;
  findings: FindingsTable;
  audit_events: AuditEventsTable;
  app_secrets: AppSecretsTable;
}


export interface UnitsTable {
  id: Generated<number>;
  code: string;
  name: string;
  parent_id: number | null;
  created_at: string;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  unit_id: number | null;
  active: number;
  lang: string | null;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  /** SHA-256 of the bearer token: a leaked table does not give usable tokens. */
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  username: string;
  ip: string;
  at: string;
}

export interface TemplatesTable {
  id: Generated<number>;
  code: string;
  title: string;
  created_at: string;
  updated_at: string;
}

interface ChecklistItemColumns {
  id: Generated<number>;
  position: number;
  code: string;
  section: string;
  title: string;
  guidance: string;
  kind: ItemKind;
  required: number;
  min_files: number;
}

export interface TemplateItemsTable extends ChecklistItemColumns {
  template_id: number;
}

export interface InspectionItemsTable extends ChecklistItemColumns {
  inspection_id: number;
}

export interface InspectionsTable {
  id: Generated<number>;
  code: string;
  title: string;
  team_name: string;
  template_code: string;
  template_title: string;
  status: InspectionStatus;
  due_at: string | null;
  parent_body: string | null;
  place: string | null;
  report_number: string | null;
  created_by: number | null;
  created_at: string;
  opened_at: string | null;
  closed_at: string | null;
}

export interface InspectionUnitsTable {
  inspection_id: number;
  unit_id: number;
}

export interface InspectionMembersTable {
  inspection_id: number;
  user_id: number;
  role: MemberRole;
}

export interface EntriesTable {
  id: Generated<number>;
  inspection_id: number;
  unit_id: number;
  item_id: number;
  status: EntryStatus;
  value_number: number | null;
  value_text: string | null;
  updated_at: string;
  updated_by: number | null;
}

export interface BlobsTable {
  sha256: string;
  size: number;
  mime: string;
  created_at: string;
}

export interface FilesTable {
  id: Generated<number>;
  entry_id: number;
  sha256: string;
  original_name: string;
  size: number;
  mime: string;
  uploaded_by: number;
  uploaded_at: string;
  withdrawn_at: string | null;
  withdrawn_by: number | null;
}

export interface ReviewsTable {
  id: Generated<number>;
  entry_id: number;
  decision: ReviewDecision;
  note: string | null;
  from_status: EntryStatus;
  to_status: EntryStatus;
  reviewer_id: number;
  at: string;
}

export interface FindingsTable {
  inspection_id: number;
  unit_id: number;
  strengths: string;
  shortcomings: string;
  recommendations: string;
  conclusion: string;
  updated_at: string;
  updated_by: number | null;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: string;
  actor_id: number | null;
  actor_username: string | null;
  action: string;
  object_type: string;
  object_id: string;
  inspection_code: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AppSecretsTable {
  name: string;
  /** base64url of random bytes. */
  value: string;
  created_at: string;
}

export type UnitRow = Selectable<UnitsTable>;
export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type TemplateRow = Selectable<TemplatesTable>;
export type TemplateItemRow = Selectable<TemplateItemsTable>;
export type InspectionRow = Selectable<InspectionsTable>;
export type InspectionItemRow = Selectable<InspectionItemsTable>;
export type EntryRow = Selectable<EntriesTable>;
export type FileRow = Selectable<FilesTable>;
export type ReviewRow = Selectable<ReviewsTable>;
export type FindingsRow = Selectable<FindingsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
