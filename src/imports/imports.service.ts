import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { hashPassword } from '../auth/password';
import { authorize, DIRECTORY } from '../auth/policy';
import type { Actor } from '../core/actor';
import { AppError } from '../core/errors';
import { inTransaction } from '../core/transaction';
import { type Lang } from '../core/vocabulary';
import type { Database } from '../db/schema';
import { issueMessage } from '../i18n/issue-words';
import { type MessageKey, t } from '../i18n/messages';
import { findTemplateByCode, templateItems } from '../templates/templates.repository';
import { CreateTemplateSchema, type ItemInput, ItemSchema } from '../templates/templates.schemas';
import { createTemplate, updateTemplate } from '../templates/templates.service';
import { type CreateUnitInput, CreateUnitSchema } from '../units/units.schemas';
import { createUnit } from '../units/units.service';
import { type CreateUserInput, CreateUserSchema, RoleSchema } from '../users/users.schemas';
import { createUserWithHash } from '../users/users.service';
import { looseKey, type ImportColumn, type ImportRecord } from './import-file';

/*
 * Importing units, users or a template's items from a spreadsheet: every row is validated with the
 * API's own zod schema, then checked against the rest of the file (no code twice) and against the
 * database by writing it through the same services inside one transaction. A preview always rolls
 * that transaction back; a confirmed import commits it only when every row went through, so
 * nothing is written unless everything is.
 */

export const IMPORT_KINDS = ['units', 'users', 'items'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** What an items import needs besides the rows: which template they make up. */
export const TemplateTargetSchema = CreateTemplateSchema.pick({ code: true, title: true });
export type TemplateTarget = z.infer<typeof TemplateTargetSchema>;

export interface ImportRowReport {
  line: number;
  values: Record<string, string>;
  errors: string[];
}

export interface ImportReport {
  kind: ImportKind;
  rows: ImportRowReport[];
  /** Problems of the whole file or form rather than of one row. */
  errors: string[];
  /** What confirming will do, when that is worth saying (replacing a template's items). */
  note?: string;
  /** Every row is valid and can be written. */
  ok: boolean;
  /** The rows were written (a confirmed import that was ok). */
  written: boolean;
}

interface ValidRow<I> {
  line: number;
  input: I;
}

interface Failure {
  /** null: the failure is not one row's (e.g. the template as a whole). */
  line: number | null;
  message: string;
}

interface WriteContext {
  lang: Lang;
  commit: boolean;
  template: TemplateTarget | undefined;
}

interface KindSpec<I> {
  columns: readonly ImportColumn[];
  schema: z.ZodType<I>;
  /** The row's cells as the schema's input: words such as "bí thư" or "có" become their values. */
  candidate(values: Record<string, string>): Record<string, unknown>;
  /** What must not appear twice in one file. */
  key(input: I): string;
  /** A column whose wrong value is best explained by listing what it takes. */
  wrongValue?: Partial<Record<string, MessageKey>>;
  /** Work that needs no database, done before the transaction opens so it stays short. */
  prepare?(rows: ValidRow<I>[], context: WriteContext): Promise<ValidRow<I>[]>;
  /** Writes the rows inside `trx` through the services; what failed comes back, anything else throws. */
  write(trx: Kysely<Database>, actor: Actor, rows: ValidRow<I>[], context: WriteContext): Promise<{ failures: Failure[]; note?: string }>;
}

function failureOf(err: unknown, lang: Lang): string {
  if (err instanceof AppError && err.status < 500) return t(lang, err.messageKey, err.params);
  throw err;
}

/** Writes rows one by one, collecting each row's refusal (a code that exists, a parent not found). */
async function writeEach<I>(rows: ValidRow<I>[], lang: Lang, write: (row: ValidRow<I>) => Promise<unknown>): Promise<{ failures: Failure[] }> {
  const failures: Failure[] = [];
  for (const row of rows) {
    try {
      await write(row);
    } catch (err) {
      failures.push({ line: row.line, message: failureOf(err, lang) });
    }
  }
  return { failures };
}

const blankToNull = (value: string | undefined) => (value ? value : null);

/** A word from a cell matched against accepted spellings (accents, case and spaces ignored). */
function wordValue<T extends string>(cell: string | undefined, words: Record<T, readonly string[]>): T | string | undefined {
  if (!cell) return undefined;
  const key = looseKey(cell);
  const found = (Object.keys(words) as T[]).find((value) => words[value].some((w) => looseKey(w) === key));
  return found ?? cell;
}

/** Every spelling of catalogue words in both languages plus the value itself and `extra`. */
function spellings<T extends string>(values: readonly T[], labelKey: (value: T) => MessageKey, extra: Partial<Record<T, string[]>>): Record<T, string[]> {
  return Object.fromEntries(
    values.map((v) => [v, [v, t('vi', labelKey(v)), t('en', labelKey(v)), ...(extra[v] ?? [])]]),
  ) as Record<T, string[]>;
}

const ROLE_WORDS = spellings(RoleSchema.options, (r) => `role.${r}`, {
  admin: ['quản trị viên', 'quản trị hệ thống'],
  inspector: ['thành viên đoàn', 'đoàn kiểm tra', 'kiểm tra viên'],
  secretary: ['bí thư', 'văn phòng', 'văn phòng đơn vị'],
});
const KIND_WORDS = spellings(ItemSchema.shape.kind.options, (k) => `kind.${k}`, {
  file: ['tệp tin', 'tài liệu'],
  number: ['số'],
});
const BOOLEAN_WORDS = { yes: ['có', 'x', '1', 'true', 'yes', 'y', 'bắt buộc'], no: ['không', '0', 'false', 'no', 'n', 'tuỳ chọn', 'tùy chọn', 'optional'] };

const unitsKind: KindSpec<CreateUnitInput> = {
  columns: [
    { field: 'code', label: 'import.col.unitCode', aliases: ['mã', 'unit code'], required: true },
    { field: 'name', label: 'import.col.unitName', aliases: ['tên', 'unit name'], required: true },
    { field: 'parentCode', label: 'import.col.parentCode', aliases: ['đơn vị cấp trên', 'cấp trên', 'parent', 'parent code'], required: false },
  ],
  schema: CreateUnitSchema,
  candidate: (v) => ({ code: v.code ?? '', name: v.name ?? '', parentCode: blankToNull(v.parentCode) }),
  key: (input) => input.code,
  write: (trx, actor, rows, { lang }) => writeEach(rows, lang, (row) => createUnit(trx, actor, row.input)),
};

type UserRowInput = CreateUserInput & { passwordHash?: string };

/** Stands in for a password hash in a preview, whose transaction is always rolled back. */
const PREVIEW_HASH = 'preview: never stored';

const usersKind: KindSpec<UserRowInput> = {
  columns: [
    { field: 'username', label: 'import.col.username', aliases: ['tài khoản', 'user name', 'login'], required: true },
    { field: 'displayName', label: 'import.col.displayName', aliases: ['họ tên', 'display name', 'full name'], required: true },
    { field: 'role', label: 'import.col.role', aliases: [], required: true },
    { field: 'unitCode', label: 'import.col.unitCode', aliases: ['mã đơn vị', 'đơn vị', 'unit', 'unit code'], required: false },
    { field: 'password', label: 'import.col.password', aliases: [], required: true },
  ],
  schema: CreateUserSchema,
  candidate: (v) => ({
    username: v.username ?? '',
    displayName: v.displayName ?? '',
    role: wordValue(v.role, ROLE_WORDS),
    unitCode: blankToNull(v.unitCode),
    password: v.password ?? '',
  }),
  key: (input) => input.username,
  wrongValue: { role: 'import.wrongRole' },
  // Hashing is the slow part of creating an account; it runs in parallel before the transaction, and
  // only when the import is being confirmed.
  prepare: async (rows, { commit }) =>
    Promise.all(rows.map(async (row) => ({ ...row, input: { ...row.input, passwordHash: commit ? await hashPassword(row.input.password) : PREVIEW_HASH } }))),
  write: (trx, actor, rows, { lang }) =>
    writeEach(rows, lang, (row) => createUserWithHash(trx, actor, row.input, row.input.passwordHash ?? PREVIEW_HASH)),
};

const itemsKind: KindSpec<ItemInput> = {
  columns: [
    { field: 'code', label: 'import.col.itemCode', aliases: ['mã', 'stt', 'item code'], required: true },
    { field: 'section', label: 'import.col.section', aliases: ['phần', 'nhóm', 'mục'], required: false },
    { field: 'title', label: 'import.col.itemTitle', aliases: ['nội dung', 'tên mục', 'item'], required: true },
    { field: 'guidance', label: 'import.col.guidance', aliases: ['ghi chú', 'notes'], required: false },
    { field: 'kind', label: 'import.col.kind', aliases: ['loại', 'type'], required: true },
    { field: 'required', label: 'import.col.required', aliases: [], required: false },
    { field: 'minFiles', label: 'import.col.minFiles', aliases: ['số tệp', 'min files'], required: false },
  ],
  schema: ItemSchema,
  candidate: (v) => {
    const required = wordValue(v.required, BOOLEAN_WORDS);
    return {
      code: v.code ?? '',
      section: v.section ?? '',
      title: v.title ?? '',
      guidance: v.guidance ?? '',
      kind: wordValue(v.kind, KIND_WORDS),
      required: required === 'yes' ? true : required === 'no' ? false : required,
      // Not a number stays NaN, so the schema refuses it rather than a blank default.
      minFiles: v.minFiles ? Number(v.minFiles.replace(',', '.')) : undefined,
    };
  },
  key: (input) => input.code,
  wrongValue: { kind: 'import.wrongKind', required: 'import.wrongRequired', minFiles: 'import.wrongMinFiles' },
  write: async (trx, actor, rows, { lang, template }) => {
    // Without a valid template code and title (already reported) there is nothing to write into.
    if (!template) return { failures: [] };
    const input = { title: template.title, items: rows.map((r) => r.input) };
    try {
      const existing = await findTemplateByCode(trx, template.code);
      if (existing) {
        const before = (await templateItems(trx, existing.id)).length;
        await updateTemplate(trx, actor, template.code, input);
        return { failures: [], note: t(lang, 'import.replacesItems', { code: template.code, count: before }) };
      }
      await createTemplate(trx, actor, { code: template.code, ...input });
      return { failures: [], note: t(lang, 'import.createsTemplate', { code: template.code }) };
    } catch (err) {
      return { failures: [{ line: null, message: failureOf(err, lang) }] };
    }
  },
};

/** The columns of each kind, for the import page and the sample files. */
export const importColumns: Record<ImportKind, readonly ImportColumn[]> = {
  units: unitsKind.columns,
  users: usersKind.columns,
  items: itemsKind.columns,
};

/** A signal to roll the import's transaction back once it has been tried. */
class RollBack extends Error {}

function rowErrors<I>(spec: KindSpec<I>, values: Record<string, string>, lang: Lang): { input?: I; errors: string[] } {
  const result = spec.schema.safeParse(spec.candidate(values), { reportInput: true });
  if (result.success) return { input: result.data, errors: [] };
  const labels = new Map(spec.columns.map((c) => [c.field, t(lang, c.label)]));
  const errors = result.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    const wrong = spec.wrongValue?.[field];
    const missing = issue.input === undefined || issue.input === null || issue.input === '';
    const message = wrong && !missing ? t(lang, wrong) : issueMessage(issue, lang);
    return `${labels.get(field) ?? field}: ${message}`;
  });
  return { errors: [...new Set(errors)] };
}

async function runKind<I>(
  db: Kysely<Database>,
  actor: Actor,
  kind: ImportKind,
  spec: KindSpec<I>,
  records: ImportRecord[],
  formErrors: string[],
  context: WriteContext,
): Promise<ImportReport> {
  const { lang } = context;
  const report: ImportReport = { kind, rows: [], errors: [...formErrors], ok: false, written: false };
  const valid: ValidRow<I>[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, values } of records) {
    const { input, errors } = rowErrors(spec, values, lang);
    if (input !== undefined) {
      const key = spec.key(input);
      const earlier = firstLine.get(key);
      if (earlier !== undefined) errors.push(t(lang, 'import.duplicate', { value: key, line: earlier }));
      else {
        firstLine.set(key, line);
        valid.push({ line, input });
      }
    }
    report.rows.push({ line, values, errors });
  }

  const isOk = () => report.errors.length === 0 && report.rows.every((r) => r.errors.length === 0);
  // Even a file with bad rows is tried against the database, so one preview lists every problem.
  const attempt: WriteContext = { ...context, commit: context.commit && isOk() };
  const prepared = spec.prepare ? await spec.prepare(valid, attempt) : valid;
  try {
    await inTransaction(db, async (trx) => {
      const { failures, note } = await spec.write(trx, actor, prepared, attempt);
      report.note = note;
      for (const failure of failures) {
        const row = failure.line === null ? undefined : report.rows.find((r) => r.line === failure.line);
        if (row) row.errors.push(failure.message);
        else report.errors.push(failure.message);
      }
      report.ok = isOk();
      if (!attempt.commit || !report.ok) throw new RollBack();
    });
    report.written = true;
  } catch (err) {
    if (!(err instanceof RollBack)) throw err;
  }
  return report;
}

/**
 * Checks (`commit: false`, a preview) or writes (`commit: true`) `records` as `kind`. Either way
 * every row goes through the services inside one transaction; it commits only when confirming and
 * every row went through, else it is rolled back and the report says what each row needs.
 * An items import also names its template (`template: {code, title}`), created or replaced.
 */
export async function importRecords(
  db: Kysely<Database>,
  actor: Actor,
  kind: ImportKind,
  records: ImportRecord[],
  options: { lang: Lang; commit: boolean; template?: unknown },
): Promise<ImportReport> {
  authorize(actor, 'manage', DIRECTORY);
  const { lang, commit } = options;
  const formErrors: string[] = [];
  let template: TemplateTarget | undefined;
  if (kind === 'items') {
    const parsed = TemplateTargetSchema.safeParse(options.template, { reportInput: true });
    if (parsed.success) template = parsed.data;
    else {
      const labels: Record<string, MessageKey> = { code: 'import.templateCode', title: 'import.templateTitle' };
      for (const issue of parsed.error.issues) {
        formErrors.push(`${t(lang, labels[String(issue.path[0])] ?? 'import.templateCode')}: ${issueMessage(issue, lang)}`);
      }
    }
  }
  const context: WriteContext = { lang, commit, template };
  switch (kind) {
    case 'units': return runKind(db, actor, kind, unitsKind, records, formErrors, context);
    case 'users': return runKind(db, actor, kind, usersKind, records, formErrors, context);
    case 'items': return runKind(db, actor, kind, itemsKind, records, formErrors, context);
  }
}
