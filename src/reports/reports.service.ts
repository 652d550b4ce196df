import { PassThrough, type Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { authorize } from '../auth/policy';
import type { Actor } from '../core/actor';
import { type Lang } from '../core/vocabulary';
import type { Database, InspectionRow } from '../db/schema';
import type { EntryView, UnitDossier } from '../dossiers/dossiers.schemas';
import { getUnitDossier } from '../dossiers/dossiers.service';
import { t } from '../i18n/messages';
import { inspectionFor, unitFor } from '../inspections/inspection-access';
import { inspectionItems, members, scopeUnits } from '../inspections/inspections.repository';
import { getProgress } from '../inspections/inspections.service';
import type { BlobStore } from '../storage';
import type { BundleInput, ProgressMatrix } from './export/export.model';
import { manifestHash } from './manifest';
import { renderUnitReport } from './pdf/unit-report';
import type { DocumentHeader, RequestLetterModel, SummaryReportModel, UnitReportModel, UnitReportSection } from './report.model';
import * as repo from './reports.repository';

/**
 * The data behind every printed document and export, shaped from the same services the API uses,
 * so a report never says something the dossier page does not.
 */

function headerOf(inspection: InspectionRow, date: Date): DocumentHeader {
  return {
    parentBody: inspection.parent_body,
    issuingBody: inspection.team_name,
    reportNumber: inspection.report_number,
    place: inspection.place,
    date,
  };
}

/** A report is dated the day the inspection closed; before that, the day it is printed. */
function reportDate(inspection: InspectionRow): Date {
  return inspection.closed_at ? new Date(inspection.closed_at) : new Date();
}

async function leadNameOf(db: Kysely<Database>, inspectionId: number): Promise<string | null> {
  return (await members(db, inspectionId)).find((m) => m.role === 'lead')?.display_name ?? null;
}

function recipients(lang: Lang, addressee: string | null): string[] {
  return [...(addressee ? [`${addressee},`] : []), t(lang, 'recipients.team'), t(lang, 'recipients.archive')];
}

/** The latest note an inspector wrote on the entry (why it was returned or waived), if any. */
function latestNote(entry: EntryView): string | null {
  return entry.history.findLast((r) => r.note)?.note ?? null;
}

function sectionsOf(entries: EntryView[]): UnitReportSection[] {
  const sections: UnitReportSection[] = [];
  for (const e of entries) {
    let section = sections.at(-1);
    if (!section || section.title !== e.section) sections.push((section = { title: e.section, rows: [] }));
    section.rows.push({
      code: e.itemCode, title: e.title, kind: e.kind, required: e.required, status: e.status,
      fileCount: e.files.length, value: e.value, note: latestNote(e),
    });
  }
  return sections;
}

export function dossierManifestHash(inspectionCode: string, dossier: UnitDossier): string {
  return manifestHash({
    inspectionCode,
    unitCode: dossier.unit.code,
    entries: dossier.entries.map((e) => ({
      itemCode: e.itemCode, status: e.status, value: e.value, files: e.files.map((f) => ({ sha256: f.sha256, size: f.size, name: f.name })),
    })),
  });
}

export async function unitReportModel(db: Kysely<Database>, actor: Actor, code: string, unitCode: string, lang: Lang): Promise<UnitReportModel> {
  const access = await inspectionFor(db, actor, code);
  authorize(actor, 'readReport', (await unitFor(db, actor, access, unitCode)).subject);
  const dossier = await getUnitDossier(db, actor, code, unitCode);
  const { strengths, shortcomings, recommendations, conclusion } = dossier.findings;
  return {
    lang,
    header: headerOf(access.inspection, reportDate(access.inspection)),
    inspection: { code, title: access.inspection.title },
    unit: dossier.unit,
    sections: sectionsOf(dossier.entries),
    findings: { strengths, shortcomings, recommendations, conclusion },
    leadName: await leadNameOf(db, access.inspection.id),
    recipients: recipients(lang, dossier.unit.name),
    manifestHash: dossierManifestHash(code, dossier),
    generatedAt: new Date(),
  };
}

export async function summaryReportModel(db: Kysely<Database>, actor: Actor, code: string, lang: Lang): Promise<SummaryReportModel> {
  const access = await inspectionFor(db, actor, code);
  authorize(actor, 'team', access.subject);
  const id = access.inspection.id;
  const [progress, totals, findings, units] = await Promise.all([getProgress(db, actor, code), repo.numberTotals(db, id), repo.conclusions(db, id), scopeUnits(db, id)]);
  const unitIdByCode = new Map(units.map((u) => [u.code, u.id]));
  const conclusionOf = new Map(findings.map((f) => [f.unit_id, f.conclusion]));
  return {
    lang,
    header: headerOf(access.inspection, reportDate(access.inspection)),
    inspection: { code, title: access.inspection.title },
    units: progress.units.map((u) => ({
      code: u.unitCode, name: u.unitName, required: u.required, done: u.done, percent: u.percent, counts: u.counts,
      conclusion: conclusionOf.get(unitIdByCode.get(u.unitCode) ?? -1) ?? null,
    })),
    numberTotals: totals.map((n) => ({ itemCode: n.code, title: n.title, total: Number(n.total ?? 0), unitsReporting: Number(n.units) })),
    leadName: await leadNameOf(db, id),
    recipients: recipients(lang, null),
    generatedAt: new Date(),
  };
}

/** What a unit still owes: required items never submitted, and any item the team returned. */
export async function requestLetterModel(db: Kysely<Database>, actor: Actor, code: string, unitCode: string, lang: Lang): Promise<RequestLetterModel> {
  const access = await inspectionFor(db, actor, code);
  authorize(actor, 'requestLetter', (await unitFor(db, actor, access, unitCode)).subject);
  const dossier = await getUnitDossier(db, actor, code, unitCode);
  const owed = dossier.entries.filter((e) => e.status === 'returned' || (e.status === 'missing' && e.required));
  return {
    lang,
    header: headerOf(access.inspection, new Date()),
    inspection: { code, title: access.inspection.title },
    unit: dossier.unit,
    dueAt: access.inspection.due_at ? new Date(access.inspection.due_at) : null,
    items: owed.map((e) => ({
      code: e.itemCode, section: e.section, title: e.title, status: e.status === 'returned' ? 'returned' : 'missing',
      note: e.status === 'returned' ? latestNote(e) : null,
    })),
    leadName: await leadNameOf(db, access.inspection.id),
    recipients: recipients(lang, dossier.unit.name),
    generatedAt: new Date(),
  };
}

/** The units × items matrix for the XLSX and CSV exports (the team only). */
export async function progressMatrix(db: Kysely<Database>, actor: Actor, code: string, lang: Lang): Promise<ProgressMatrix> {
  const access = await inspectionFor(db, actor, code);
  authorize(actor, 'team', access.subject);
  const id = access.inspection.id;
  const [progress, items, cells, counts, units] = await Promise.all([
    getProgress(db, actor, code), inspectionItems(db, id), repo.matrixCells(db, id), repo.fileCounts(db, id), scopeUnits(db, id),
  ]);
  const filesOf = new Map(counts.map((c) => [c.entry_id, Number(c.n)]));
  const itemOf = new Map(items.map((i) => [i.id, i]));
  const cellsByUnit = new Map<number, ProgressMatrix['units'][number]['cells'][number][]>();
  for (const c of cells) {
    const item = itemOf.get(c.item_id);
    if (!item) continue;
    const list = cellsByUnit.get(c.unit_id) ?? [];
    if (list.length === 0) cellsByUnit.set(c.unit_id, list);
    list.push({
      itemCode: item.code, status: c.status, fileCount: filesOf.get(c.id) ?? 0,
      value: item.kind === 'number' ? c.value_number : item.kind === 'text' ? c.value_text : null,
    });
  }
  const unitIdByCode = new Map(units.map((u) => [u.code, u.id]));
  return {
    lang,
    inspection: { code, title: access.inspection.title },
    items: items.map((i) => ({ code: i.code, section: i.section, title: i.title, kind: i.kind, required: i.required === 1 })),
    units: progress.units.map((u) => ({
      code: u.unitCode, name: u.unitName, percent: u.percent, done: u.done, required: u.required,
      cells: cellsByUnit.get(unitIdByCode.get(u.unitCode) ?? -1) ?? [],
    })),
  };
}

/** A stream now, whose bytes come from a source that opens asynchronously (a blob, a report). */
function deferred(open: (out: PassThrough) => Promise<void>): PassThrough {
  const out = new PassThrough();
  open(out).catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

/** A unit's current files with their manifest and report, for the ZIP bundle (the team only). */
export async function unitBundle(db: Kysely<Database>, store: BlobStore, actor: Actor, code: string, unitCode: string, lang: Lang): Promise<BundleInput> {
  const access = await inspectionFor(db, actor, code);
  authorize(actor, 'bundle', (await unitFor(db, actor, access, unitCode)).subject);
  const report = await unitReportModel(db, actor, code, unitCode, lang);
  const dossier = await getUnitDossier(db, actor, code, unitCode);
  const pipeBlob = (sha256: string) => async (out: PassThrough) => {
    const source: Readable = await store.createReadStream(sha256);
    source.on('error', (err) => out.destroy(err));
    source.pipe(out);
  };
  return {
    lang,
    unit: dossier.unit,
    inspection: { code, title: access.inspection.title },
    files: dossier.entries.flatMap((e) =>
      e.files.map((f) => ({
        itemCode: e.itemCode, itemTitle: e.title, name: f.name, size: f.size, sha256: f.sha256, mime: f.mime,
        uploadedBy: f.uploadedBy, uploadedAt: f.uploadedAt, open: () => deferred(pipeBlob(f.sha256)),
      })),
    ),
    report: { name: `${t(lang, 'report.fileName.unit')} ${unitCode}.pdf`, open: () => deferred((out) => renderUnitReport(report, out)) },
  };
}
