import type { Kysely } from 'kysely';
import { latestAuditEventId } from '../audit/audit.repository';
import { recordEvent } from '../audit/audit.service';
import { authorize, can } from '../auth/policy';
import type { Actor } from '../core/actor';
import { nowIso } from '../core/clock';
import { NotFoundError, ValidationError } from '../core/errors';
import { inTransaction } from '../core/transaction';
import { VersionedCache } from '../core/versioned-cache';
import type { EntryStatus } from '../core/vocabulary';
import type { Database, InspectionRow } from '../db/schema';
import { inspectionFor, type ScopedUnit, unitFor } from '../inspections/inspection-access';
import { requireOpen } from '../inspections/inspection-state';
import type { BlobStore, StagedFile } from '../storage/blob-store';
import * as repo from './dossiers.repository';
import type { EntryView, FileView, FindingsInput, FindingsView, ReviewInput, ReviewView, UnitDossier, ValueInput } from './dossiers.schemas';
import { assertSubmittable, assertWithdrawable, statusAfterReview, statusAfterSubmission, statusAfterWithdrawal } from './entry-state';

interface EntryTarget {
  inspection: InspectionRow;
  unit: ScopedUnit;
  entry: repo.EntryWithItem;
}

async function findTargetEntry(db: Kysely<Database>, inspection: InspectionRow, unit: ScopedUnit, itemCode: string): Promise<repo.EntryWithItem> {
  const entry = await repo.findEntry(db, inspection.id, unit.id, itemCode);
  if (!entry) throw new NotFoundError('item.notFound', { code: itemCode });
  return entry;
}

/** The entry a secretary submits to: their own unit, an open inspection, an entry not locked by a decision. */
async function submissionTarget(db: Kysely<Database>, actor: Actor, code: string, unitCode: string, itemCode: string): Promise<EntryTarget> {
  const access = await inspectionFor(db, actor, code);
  const unit = await unitFor(db, actor, access, unitCode);
  authorize(actor, 'submit', unit.subject);
  requireOpen(access.inspection);
  const entry = await findTargetEntry(db, access.inspection, unit, itemCode);
  assertSubmittable(entry.status);
  return { inspection: access.inspection, unit, entry };
}

function valueOf(entry: Pick<repo.EntryWithItem, 'kind' | 'value_number' | 'value_text'>): number | string | null {
  if (entry.kind === 'number') return entry.value_number;
  if (entry.kind === 'text') return entry.value_text;
  return null;
}

/** Whether the entry holds what its item asks for: enough current files, or a value. */
async function isComplete(db: Kysely<Database>, entry: repo.EntryWithItem): Promise<boolean> {
  if (entry.kind === 'file') return (await repo.countCurrentFiles(db, entry.id)) >= Math.max(1, entry.min_files);
  const value = valueOf(entry);
  return value !== null && value !== '';
}

function presentReview(r: Awaited<ReturnType<typeof repo.reviewsOf>>[number]): ReviewView {
  return { decision: r.decision, note: r.note, from: r.from_status, to: r.to_status, by: r.reviewer, at: r.at };
}

function presentFile(f: Awaited<ReturnType<typeof repo.currentFiles>>[number]): FileView {
  return { id: f.id, name: f.original_name, size: Number(f.size), sha256: f.sha256, mime: f.mime, uploadedAt: f.uploaded_at, uploadedBy: f.uploaded_by };
}

/** Rows grouped by a key (Map.groupBy arrives only in Node 21). */
function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

const emptyFindings: FindingsView = { strengths: '', shortcomings: '', recommendations: '', conclusion: '', updatedAt: null, updatedBy: null };

/** What a unit's dossier holds, apart from the inspection and unit it belongs to. */
interface DossierContent {
  entries: EntryView[];
  findings: FindingsView;
}

/**
 * Dossiers are read far more often than written (the team browses units, reports and bundles
 * read them again); they are kept until the next write, see `VersionedCache`. Keyed by
 * inspection and unit id; a province has 1,000 units, a few hundred recent ones are kept.
 */
const dossierContents = new VersionedCache<string, DossierContent>(256, latestAuditEventId);

/** Four queries, whatever the size. */
async function readDossierContent(db: Kysely<Database>, inspectionId: number, unitId: number): Promise<DossierContent> {
  const entries = await repo.unitEntries(db, inspectionId, unitId);
  const ids = entries.map((e) => e.id);
  const [files, reviews, findings] = await Promise.all([repo.currentFiles(db, ids), repo.reviewsOf(db, ids), repo.findFindings(db, inspectionId, unitId)]);
  const filesByEntry = groupBy(files, (f) => f.entry_id);
  const reviewsByEntry = groupBy(reviews, (r) => r.entry_id);
  return {
    entries: entries.map((e): EntryView => {
      const history = (reviewsByEntry.get(e.id) ?? []).map(presentReview);
      return {
        itemCode: e.item_code,
        section: e.section,
        title: e.title,
        guidance: e.guidance,
        kind: e.kind,
        required: e.required === 1,
        minFiles: e.min_files,
        status: e.status,
        value: valueOf(e),
        updatedAt: e.updated_at,
        files: (filesByEntry.get(e.id) ?? []).map(presentFile),
        review: history.at(-1) ?? null,
        history,
      };
    }),
    findings: findings
      ? {
          strengths: findings.strengths, shortcomings: findings.shortcomings, recommendations: findings.recommendations,
          conclusion: findings.conclusion, updatedAt: findings.updated_at, updatedBy: findings.updated_by,
        }
      : emptyFindings,
  };
}

/** A copy the caller may change: the cached content is shared until the next write. */
function copyEntry(e: EntryView): EntryView {
  const history = e.history.map((r) => ({ ...r }));
  return { ...e, files: e.files.map((f) => ({ ...f })), review: history.at(-1) ?? null, history };
}

/**
 * A unit's dossier: every item of the checklist in order with its status, value, current files,
 * latest decision and decision history, and the team's findings.
 */
export async function getUnitDossier(db: Kysely<Database>, actor: Actor, code: string, unitCode: string): Promise<UnitDossier> {
  const access = await inspectionFor(db, actor, code);
  const unit = await unitFor(db, actor, access, unitCode);
  const { inspection } = access;
  const content = await dossierContents.get(db, `${inspection.id}/${unit.id}`, () => readDossierContent(db, inspection.id, unit.id));
  return {
    inspection: { code: inspection.code, title: inspection.title, status: inspection.status },
    unit: { code: unit.code, name: unit.name },
    entries: content.entries.map(copyEntry),
    findings: can(actor, 'readFindings', unit.subject) ? { ...content.findings } : { ...emptyFindings },
  };
}

export interface UploadTarget {
  code: string;
  unitCode: string;
  itemCode: string;
}

/**
 * Checks, before a byte of the body is read, that the actor may upload to this entry now; so a
 * refused upload is never staged. `storeUploads` checks again inside its transaction.
 */
export async function checkUploadAllowed(db: Kysely<Database>, actor: Actor, target: UploadTarget): Promise<void> {
  const { entry } = await submissionTarget(db, actor, target.code, target.unitCode, target.itemCode);
  if (entry.kind !== 'file') throw new ValidationError([{ field: 'item', message: 'not a file item' }], 'entry.wrongKind', { code: entry.item_code, kind: { key: `kind.${entry.kind}` } });
}

/**
 * Files the staged uploads into the entry. Each blob is made durable in the store first; only then
 * does the transaction commit the rows that point at it, so a crash leaves either the whole file
 * or nothing visible. The entry moves to `submitted` once it holds enough files.
 */
export async function storeUploads(
  db: Kysely<Database>,
  store: BlobStore,
  actor: Actor,
  target: UploadTarget,
  staged: StagedFile[],
): Promise<FileView[]> {
  await checkUploadAllowed(db, actor, target);
  for (const file of staged) await store.commit(file);
  return inTransaction(db, async (trx) => {
    const { inspection, unit, entry } = await submissionTarget(trx, actor, target.code, target.unitCode, target.itemCode);
    const at = nowIso();
    const stored: FileView[] = [];
    for (const file of staged) {
      await repo.insertBlobIfMissing(trx, { sha256: file.sha256, size: file.size, mime: file.mime, created_at: at });
      const id = await repo.insertFile(trx, {
        entry_id: entry.id, sha256: file.sha256, original_name: file.originalName, size: file.size, mime: file.mime,
        uploaded_by: actor.id, uploaded_at: at, withdrawn_at: null, withdrawn_by: null,
      });
      stored.push({ id, name: file.originalName, size: file.size, sha256: file.sha256, mime: file.mime, uploadedAt: at, uploadedBy: actor.username });
      await recordEvent(trx, actor, {
        action: 'file.upload', objectType: 'file', objectId: String(id), inspectionCode: inspection.code,
        details: { unit: unit.code, item: entry.item_code, name: file.originalName, size: file.size, sha256: file.sha256, mime: file.mime },
      });
    }
    await settleAfterSubmission(trx, actor, entry, at);
    return stored;
  });
}

/** Moves the entry to the status its content now warrants (submitted / missing / still returned). */
async function settleAfterSubmission(db: Kysely<Database>, actor: Actor, entry: repo.EntryWithItem, at: string): Promise<EntryStatus> {
  const fresh = (await repo.findEntryById(db, entry.id)) ?? entry;
  const status = statusAfterSubmission(fresh.status, await isComplete(db, fresh));
  await repo.updateEntry(db, entry.id, { status, updated_at: at, updated_by: actor.id });
  return status;
}

/** Sets (or, with null or empty text, clears) the figure or text of a number/text item. */
export async function setValue(
  db: Kysely<Database>,
  actor: Actor,
  code: string,
  unitCode: string,
  itemCode: string,
  input: ValueInput,
): Promise<EntryView['status']> {
  return inTransaction(db, async (trx) => {
    const { inspection, unit, entry } = await submissionTarget(trx, actor, code, unitCode, itemCode);
    if (entry.kind === 'file') {
      throw new ValidationError([{ field: 'value', message: 'file items take uploads' }], 'entry.wrongKind', { code: itemCode, kind: { key: 'kind.file' } });
    }
    const value = typeof input.value === 'string' ? input.value.trim() : input.value;
    if (value !== null && value !== '' && typeof value !== (entry.kind === 'number' ? 'number' : 'string')) {
      throw new ValidationError([{ field: 'value', message: `expected ${entry.kind}` }], 'entry.valueType', { expected: { key: `expected.${entry.kind}` } });
    }
    const at = nowIso();
    await repo.updateEntry(trx, entry.id, {
      value_number: entry.kind === 'number' ? (value as number | null) : null,
      value_text: entry.kind === 'text' && value !== '' ? (value as string | null) : null,
      updated_at: at,
      updated_by: actor.id,
    });
    const status = await settleAfterSubmission(trx, actor, entry, at);
    await recordEvent(trx, actor, {
      action: 'entry.value', objectType: 'entry', objectId: String(entry.id), inspectionCode: inspection.code,
      details: { unit: unit.code, item: itemCode, value, status },
    });
    return status;
  });
}

/** Accept, return (note), waive (note) or reopen an entry; see entry-state.ts for what is legal. */
export async function reviewEntry(
  db: Kysely<Database>,
  actor: Actor,
  code: string,
  unitCode: string,
  itemCode: string,
  input: ReviewInput,
): Promise<ReviewView> {
  return inTransaction(db, async (trx) => {
    const access = await inspectionFor(trx, actor, code);
    const unit = await unitFor(trx, actor, access, unitCode);
    authorize(actor, 'review', unit.subject);
    requireOpen(access.inspection);
    const entry = await findTargetEntry(trx, access.inspection, unit, itemCode);
    const note = input.note ? input.note : null;
    const to = statusAfterReview(entry.status, input.decision, note, await isComplete(trx, entry));
    const at = nowIso();
    await repo.updateEntry(trx, entry.id, { status: to, updated_at: at, updated_by: actor.id });
    await repo.insertReview(trx, { entry_id: entry.id, decision: input.decision, note, from_status: entry.status, to_status: to, reviewer_id: actor.id, at });
    await recordEvent(trx, actor, {
      action: `entry.${input.decision}`, objectType: 'entry', objectId: String(entry.id), inspectionCode: code,
      details: { unit: unit.code, item: itemCode, from: entry.status, to, note },
    });
    return { decision: input.decision, note, from: entry.status, to, by: actor.username, at };
  });
}

/** Saves the team's findings for a unit (strengths, shortcomings, recommendations, conclusion). */
export async function saveFindings(db: Kysely<Database>, actor: Actor, code: string, unitCode: string, input: FindingsInput): Promise<FindingsView> {
  return inTransaction(db, async (trx) => {
    const access = await inspectionFor(trx, actor, code);
    const unit = await unitFor(trx, actor, access, unitCode);
    authorize(actor, 'review', unit.subject);
    requireOpen(access.inspection);
    const at = nowIso();
    await repo.upsertFindings(trx, { inspection_id: access.inspection.id, unit_id: unit.id, ...input, updated_at: at, updated_by: actor.id });
    await recordEvent(trx, actor, { action: 'findings.save', objectType: 'findings', objectId: unit.code, inspectionCode: code, details: { unit: unit.code } });
    return { ...input, updatedAt: at, updatedBy: actor.username };
  });
}

/** A current file and the unit it belongs to, as the caller may see it; anything else is 404 (no file is revealed). */
async function visibleFile(db: Kysely<Database>, actor: Actor, fileId: number) {
  const file = await repo.findFileWithContext(db, fileId);
  if (!file || file.withdrawn_at) throw new NotFoundError('file.notFound');
  try {
    const access = await inspectionFor(db, actor, file.inspection_code);
    return { file, access, unit: await unitFor(db, actor, access, file.unit_code) };
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError('file.notFound');
    throw err;
  }
}

/** A file the actor may see, for download: same scope rules as the unit's dossier; withdrawn files are gone. */
export async function fileForDownload(db: Kysely<Database>, actor: Actor, fileId: number) {
  const { file } = await visibleFile(db, actor, fileId);
  return { sha256: file.sha256, name: file.original_name, mime: file.mime, size: Number(file.size) };
}

/**
 * Withdraws a file: the unit's secretary, while the inspection is open and the entry not accepted
 * (entry-state.ts). The file stays stored and audited but no longer shows.
 */
export async function withdrawFile(db: Kysely<Database>, actor: Actor, fileId: number): Promise<EntryView['status']> {
  return inTransaction(db, async (trx) => {
    const { file, access, unit } = await visibleFile(trx, actor, fileId);
    authorize(actor, 'submit', unit.subject);
    requireOpen(access.inspection);
    const entry = await findTargetEntry(trx, access.inspection, unit, file.item_code);
    assertWithdrawable(entry.status);
    const at = nowIso();
    await repo.markWithdrawn(trx, fileId, actor.id, at);
    const status = statusAfterWithdrawal(entry.status, await isComplete(trx, entry));
    await repo.updateEntry(trx, entry.id, { status, updated_at: at, updated_by: actor.id });
    await recordEvent(trx, actor, {
      action: 'file.withdraw', objectType: 'file', objectId: String(fileId), inspectionCode: access.inspection.code,
      details: { unit: unit.code, item: file.item_code, name: file.original_name, sha256: file.sha256, status },
    });
    return status;
  });
}
