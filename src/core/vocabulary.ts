/**
 * Every closed vocabulary of the product, written once. The TypeScript types, the zod enums of the
 * API, the database column types (db/schema.ts) and the message keys of their words
 * (i18n/catalogue/vocabulary.ts) are all derived from these lists, so adding a status means
 * adding it here and the type checker points at every place that must then say something about it.
 */

/** Who a user is (PRODUCT.md §2, §3). */
export const ROLES = ['admin', 'inspector', 'secretary'] as const;
export type Role = (typeof ROLES)[number];

/** The roles that belong to one unit and act for it (a user of such a role names their unit). */
export const UNIT_ROLES = ['secretary'] as const satisfies readonly Role[];

export function isUnitRole(role: Role): boolean {
  return (UNIT_ROLES as readonly Role[]).includes(role);
}

/** A checklist item asks for files, a figure or a text. */
export const ITEM_KINDS = ['file', 'number', 'text'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** An inspection's life: draft → open → closed (an admin may reopen). */
export const INSPECTION_STATUSES = ['draft', 'open', 'closed'] as const;
export type InspectionStatus = (typeof INSPECTION_STATUSES)[number];

/** The moves of an inspection's status (inspections/inspection-state.ts says which applies when). */
export const STATUS_CHANGES = ['open', 'close', 'reopen'] as const;
export type StatusChange = (typeof STATUS_CHANGES)[number];

/** A member's place on an inspection team. */
export const MEMBER_ROLES = ['lead', 'member'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** An entry's status; the moves between them are dossiers/entry-state.ts. */
export const ENTRY_STATUSES = ['missing', 'submitted', 'accepted', 'returned', 'waived'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/** What an inspector decides on an entry. */
export const REVIEW_DECISIONS = ['accept', 'return', 'waive', 'reopen'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** The interface languages (`vi` is the default). */
export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** Whether `value` is one of `list` (a status read from a query string, say). */
export function isOneOf<const T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

export function isLang(value: unknown): value is Lang {
  return isOneOf(LANGS, value);
}
