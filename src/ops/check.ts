import fsp from 'node:fs/promises';
import { type ChainReport, verifyChain } from '../audit/audit.service';
import type { Db } from '../db/database';
import { type DialectName, dialectOf } from '../db/dialect';
import type { LocalBlobStore } from '../storage/local-blob-store';
import { hashStoredBlob, type OnProgress, ProgressCounter, referencedBlobs } from './blobs';
import { formatBytes } from './format';
import { sqliteProblems } from './sqlite';

/** A file row, located the way a person finds it in the app. */
export interface FileRef {
  id: number;
  name: string;
  inspection: string;
  unit: string;
  item: string;
  withdrawn: boolean;
}

/** A blob the database names that is not in the store, or whose content no longer has its hash. */
export interface DamagedBlob {
  sha256: string;
  problem: 'missing' | 'corrupt';
  /** The file rows that point at it: the dossiers that lost a file. */
  files: FileRef[];
}

export interface CheckReport {
  /** False when anything below is a problem; unreferenced blobs alone are not. */
  ok: boolean;
  database: {
    engine: DialectName;
    /** What SQLite's integrity and foreign-key checks found (empty: none); null on PostgreSQL. */
    problems: string[] | null;
  };
  audit: ChainReport;
  blobs: {
    /** Blobs in the store, and their bytes (all read and hashed). */
    stored: number;
    bytes: number;
    /** Distinct blobs the database names. */
    referenced: number;
  };
  damaged: DamagedBlob[];
  /**
   * Stored blobs no row names. Harmless: a blob is committed before its row, so a crash (or a
   * refused transaction) in between leaves one behind; the same upload later reuses it.
   */
  unreferenced: string[];
}

export interface CheckOptions {
  onProgress?: OnProgress;
}

/**
 * Checks a whole instance: reads every stored blob and compares it with its SHA-256, finds rows
 * that name a blob the store lacks and blobs no row names, recomputes the audit chain, and on
 * SQLite runs `PRAGMA integrity_check` and `foreign_key_check`. Safe while the app runs and
 * writes: rows are read before the store is listed (a row's blob is committed before the row, so
 * it is listed) and again after it (a blob listed while its upload was finishing is not called
 * unreferenced). Only reads.
 */
export async function checkData(db: Db, store: LocalBlobStore, options: CheckOptions = {}): Promise<CheckReport> {
  const namedBefore = await referencedBlobs(db);
  const stored: { sha256: string; size: number }[] = [];
  for await (const sha256 of store.listBlobs()) stored.push({ sha256, size: (await fsp.stat(store.blobPath(sha256))).size });
  const bytes = stored.reduce((sum, b) => sum + b.size, 0);

  const progress = new ProgressCounter(stored.length, bytes, options.onProgress);
  const corrupt: string[] = [];
  for (const { sha256, size } of stored) {
    if ((await hashStoredBlob(store, sha256)) !== sha256) corrupt.push(sha256);
    progress.add(size);
  }

  const namedAfter = await referencedBlobs(db);
  const inStore = new Set(stored.map((b) => b.sha256));
  const missing = [...namedBefore.keys()].filter((sha256) => !inStore.has(sha256));
  const unreferenced = stored.map((b) => b.sha256).filter((sha256) => !namedAfter.has(sha256));
  // A damaged blob no row names is reported too: the disk under the store may be failing.
  const found = [...missing.map((sha256) => ({ sha256, problem: 'missing' as const })), ...corrupt.map((sha256) => ({ sha256, problem: 'corrupt' as const }))];
  const damaged: DamagedBlob[] = await Promise.all(found.map(async (d) => ({ ...d, files: await filesOf(db, d.sha256) })));

  const problems = await sqliteProblems(db);
  const audit = await verifyChain(db);
  return {
    ok: damaged.length === 0 && (problems ?? []).length === 0 && audit.ok,
    database: { engine: dialectOf(db), problems },
    audit,
    blobs: { stored: stored.length, bytes, referenced: namedAfter.size },
    damaged,
    unreferenced,
  };
}

async function filesOf(db: Db, sha256: string): Promise<FileRef[]> {
  const rows = await db
    .selectFrom('files as f')
    .innerJoin('entries as e', 'e.id', 'f.entry_id')
    .innerJoin('inspections as i', 'i.id', 'e.inspection_id')
    .innerJoin('units as u', 'u.id', 'e.unit_id')
    .innerJoin('inspection_items as ii', 'ii.id', 'e.item_id')
    .select(['f.id', 'f.original_name', 'f.withdrawn_at', 'i.code as inspection', 'u.code as unit', 'ii.code as item'])
    .where('f.sha256', '=', sha256)
    .orderBy('f.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.original_name, inspection: r.inspection, unit: r.unit, item: r.item, withdrawn: r.withdrawn_at !== null }));
}

const LISTED = 20;

function listed<T>(items: T[], line: (item: T) => string): string[] {
  const lines = items.slice(0, LISTED).map(line);
  if (items.length > LISTED) lines.push(`    … and ${items.length - LISTED} more`);
  return lines;
}

function describeFile(f: FileRef): string {
  return `file #${f.id} "${f.name}" in ${f.inspection} / unit ${f.unit} / item ${f.item}${f.withdrawn ? ' (withdrawn)' : ''}`;
}

function chainLine(audit: ChainReport): string {
  if (audit.ok) return `Audit log: ${audit.events} events, the hash chain verifies${audit.head ? ` (head ${audit.head})` : ''}.`;
  const broken = audit.firstBroken;
  const why =
    broken?.reason === 'hash_mismatch'
      ? `event #${broken.id} was changed after it was written (its hash no longer matches its content)`
      : `event #${broken?.id} does not follow the one before it (an event was removed, inserted or reordered)`;
  return `Audit log: BROKEN after ${audit.events} good events: ${why}.`;
}

/** The report as an operator reads it on a terminal or in a cron mail; the last line says OK or FAILED. */
export function formatCheckReport(report: CheckReport): string {
  const out: string[] = [];
  const { problems } = report.database;
  if (problems === null) out.push('Database (PostgreSQL): pages are checked by PostgreSQL itself (see pg_amcheck).');
  else if (problems.length === 0) out.push('Database (SQLite): integrity check ok, foreign keys ok.');
  else out.push(`Database (SQLite): ${problems.length} problem(s):`, ...listed(problems, (p) => `    ${p}`));

  out.push(chainLine(report.audit));

  const { stored, bytes, referenced } = report.blobs;
  out.push(`Files: ${stored} stored (${formatBytes(bytes)}), every one read and hashed; the database names ${referenced}.`);
  for (const d of report.damaged) {
    out.push(d.problem === 'missing' ? `  MISSING ${d.sha256}: the database names it, the store does not have it` : `  DAMAGED ${d.sha256}: its content no longer has this SHA-256`);
    out.push(...(d.files.length ? listed(d.files, (f) => `    used by ${describeFile(f)}`) : ['    named by no file row']));
  }
  if (report.unreferenced.length) {
    out.push(
      `  Note: ${report.unreferenced.length} stored file(s) named by no row, harmless (left when a crash or a refused upload came between storing a file and recording it):`,
      ...listed(report.unreferenced, (s) => `    ${s}`),
    );
  }

  const count = report.damaged.length + (problems?.length ?? 0) + (report.audit.ok ? 0 : 1);
  out.push(report.ok ? 'Result: OK' : `Result: FAILED (${count} problem(s))`);
  return `${out.join('\n')}\n`;
}
