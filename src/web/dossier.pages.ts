import { type Request, Router } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import type { ReviewDecision } from '../core/vocabulary';
import type { EntryView, UnitDossier } from '../dossiers/dossiers.schemas';
import { FindingsSchema, ReviewSchema } from '../dossiers/dossiers.schemas';
import { getUnitDossier, reviewEntry, saveFindings, setValue, withdrawFile } from '../dossiers/dossiers.service';
import { MAX_FILES_PER_UPLOAD, uploadToEntry } from '../dossiers/dossiers.upload';
import { decisionApplies } from '../dossiers/entry-state';
import { NotFoundError, ValidationError } from '../core/errors';
import { type Flash, formFields, pageActor, redirectWithFlash, render, setFlash } from '../http/pages';
import { validate } from '../http/validate';
import { formatNumber } from '../core/format';
import { type Lang } from '../core/vocabulary';
import { t } from '../i18n/messages';
import type { InspectionView } from '../inspections/inspections.schemas';
import { getInspection } from '../inspections/inspections.service';
import type { BlobStore } from '../storage';
import { actThenRedirect, flashOfError } from './form-action';
import { inspectionPath, unitDossierPath } from './inspections.pages';
import { ENTRY_STATUSES } from '../core/vocabulary';
import { progressOf } from '../inspections/progress';

/** What the file picker offers; the server decides by content (storage/sniff.ts). */
const ACCEPTED_FILES = '.pdf,.doc,.docx,.xls,.xlsx,.odt,.ods,.jpg,.jpeg,.png,.tif,.tiff';
const DECISIONS: readonly ReviewDecision[] = ['accept', 'return', 'waive', 'reopen'];
const FileIdSchema = z.coerce.number().int().positive();

/**
 * The value a figure or text form sends, as the service takes it: blank clears it; a figure is a
 * plain decimal (a browser's number field sends `1200000` or `2.5`; a decimal comma is taken too).
 * `kind` only says how to read the text: the service checks it against the item.
 */
function valueOf(kind: string | undefined, raw: string): number | string | null {
  if (raw === '') return null;
  if (kind !== 'number') return raw;
  if (!/^-?\d+([.,]\d+)?$/.test(raw)) {
    throw new ValidationError([{ field: 'value', message: 'not a number' }], 'entry.valueType', { expected: { key: 'expected.number' } });
  }
  return Number(raw.replace(',', '.'));
}

/** `1,2 MB`, `350 KB` in the reader's number format. */
function formatSize(bytes: number, lang: Lang): string {
  if (bytes >= 1024 * 1024) return `${formatNumber(Math.round((bytes / (1024 * 1024)) * 10) / 10, lang)} MB`;
  return `${formatNumber(Math.max(1, Math.round(bytes / 1024)), lang)} KB`;
}

interface Viewer {
  lang: Lang;
  /** The inspection takes uploads, values and reviews. */
  open: boolean;
  /** A member of the team or an admin (reviews, findings, reports); otherwise the unit's secretary. */
  team: boolean;
  /** Display names of the team, for the review history (which records usernames). */
  names: Map<string, string>;
}

function presentEntry(entry: EntryView, base: string, viewer: Viewer) {
  const locked = entry.status === 'accepted' || entry.status === 'waived';
  const submitter = !viewer.team && viewer.open;
  const itemPath = `${base}/items/${encodeURIComponent(entry.itemCode)}`;
  const decisions = Object.fromEntries(DECISIONS.map((d) => [d, viewer.team && viewer.open && decisionApplies(entry.status, d)]));
  return {
    ...entry,
    anchor: `item-${entry.itemCode}`,
    isFile: entry.kind === 'file',
    valueText: entry.kind === 'number' ? formatNumber(entry.value, viewer.lang) : (entry.value ?? ''),
    hasValue: entry.value !== null && entry.value !== '',
    files: entry.files.map((f) => ({
      ...f,
      href: `/api/v1/files/${f.id}`,
      ext: /\.([A-Za-z0-9]{1,5})$/.exec(f.name)?.[1]?.toUpperCase(),
      sizeText: formatSize(f.size, viewer.lang),
      withdrawPath: `${base}/files/${f.id}/withdraw`,
    })),
    canUpload: submitter && entry.kind === 'file' && !locked,
    canWithdraw: submitter && entry.status !== 'accepted',
    canSetValue: submitter && entry.kind !== 'file' && !locked,
    uploadPath: `${itemPath}/files`,
    valuePath: `${itemPath}/value`,
    reviewPath: `${itemPath}/review`,
    decisions,
    canReview: DECISIONS.some((d) => decisions[d]),
    /** The note that explains the current status (returned or waived) to the unit. */
    note: (entry.status === 'returned' || entry.status === 'waived') && entry.review?.note ? entry.review.note : undefined,
    history: [...entry.history].reverse().map((r) => ({ ...r, byName: viewer.names.get(r.by) ?? r.by })),
  };
}

/** Entries under their section headings, in checklist order. */
function sectionsOf<T extends { section: string }>(entries: T[]): { name: string; entries: T[] }[] {
  const sections: { name: string; entries: T[] }[] = [];
  for (const entry of entries) {
    const last = sections.at(-1);
    if (last && last.name === entry.section) last.entries.push(entry);
    else sections.push({ name: entry.section, entries: [entry] });
  }
  return sections;
}

function presentDossier(dossier: UnitDossier, inspection: InspectionView, viewer: Viewer) {
  const base = unitDossierPath(inspection.code, dossier.unit.code);
  const api = `/api/v1${base}`;
  const closed = inspection.status === 'closed';
  const entries = dossier.entries.map((e) => presentEntry(e, base, viewer));
  const progress = progressOf(dossier.entries.map((e) => ({ status: e.status, required: e.required, n: 1 })));
  const findings = dossier.findings;
  const hasFindings = [findings.strengths, findings.shortcomings, findings.recommendations, findings.conclusion].some((s) => s.trim() !== '');
  return {
    inspection,
    unit: dossier.unit,
    progress,
    statusCounts: ENTRY_STATUSES.map((status) => ({ status, count: progress.counts[status] })),
    sections: sectionsOf(entries),
    findings,
    findingsPath: `${base}/findings`,
    canEditFindings: viewer.team && viewer.open,
    // The unit reads the team's findings with the report, once the inspection is closed.
    showFindings: viewer.team ? viewer.open || hasFindings : closed && hasFindings,
    reports: {
      unitReport: viewer.team || closed ? `${api}/report.pdf` : undefined,
      requestLetter: viewer.team ? `${api}/request-letter.pdf` : undefined,
      bundle: viewer.team ? `${api}/bundle.zip` : undefined,
    },
    submitting: !viewer.team && viewer.open,
  };
}

/**
 * A unit's dossier page (items by section with their files, values, decisions and history; the
 * team's findings; report buttons) and its forms: uploads, figures and withdrawals for the unit's
 * secretary, decisions and findings for the team. Every form posts, acts through the dossier
 * service and comes back to the item it was about, with a message.
 */
export function dossierPages(db: Kysely<Database>, store: BlobStore, config: Config): Router {
  const router = Router();
  const upload = uploadToEntry(db, store, config);
  const unitPath = '/inspections/:code/units/:unit';
  const itemPath = `${unitPath}/items/:item`;
  const maxMb = Math.round((config.maxUploadBytes / (1024 * 1024)) * 100) / 100;

  /** Back to the item on the unit's page (the page itself when `item` is absent). */
  function backTo(req: Request, item?: string): string {
    const page = unitDossierPath(String(req.params.code), String(req.params.unit));
    return item === undefined ? page : `${page}#item-${encodeURIComponent(item)}`;
  }

  router.get(unitPath, async (req, res) => {
    const actor = pageActor(req);
    const { code, unit } = req.params;
    const [dossier, inspection] = await Promise.all([getUnitDossier(db, actor, code, unit), getInspection(db, actor, code)]);
    const viewer: Viewer = {
      lang: req.lang,
      open: inspection.status === 'open',
      team: actor.role !== 'secretary',
      names: new Map(inspection.members.map((m) => [m.username, m.displayName])),
    };
    render(req, res, 'dossier/unit', {
      title: dossier.unit.name,
      nav: 'dashboard',
      ...presentDossier(dossier, inspection, viewer),
      backHref: viewer.team ? inspectionPath(inspection.code) : '/',
      backLabel: t(req.lang, viewer.team ? 'dossier.backToMatrix' : 'nav.dashboard'),
      upload: { accept: ACCEPTED_FILES, maxMb, maxFiles: MAX_FILES_PER_UPLOAD },
    });
  });

  /**
   * Files for a file item, several at once. The upload-progress script (public/js/upload.js) posts
   * the same form with XHR and `X-Upload-Progress: 1`: it gets `{next}` to go to instead of a
   * redirect, since XHR would follow the redirect itself and use up the message meant for the page.
   */
  router.post(`${itemPath}/files`, async (req, res) => {
    const actor = pageActor(req);
    const target = { code: req.params.code, unitCode: req.params.unit, itemCode: req.params.item };
    const back = backTo(req, target.itemCode);
    let flash: Flash;
    try {
      const files = await upload(req, res, actor, target);
      flash = { kind: 'success', key: 'dossier.uploaded', params: { count: files.length, item: target.itemCode } };
    } catch (err) {
      // Whatever of the body is still coming is read and dropped, so the browser gets the answer.
      req.resume();
      const refusal = flashOfError(req, err);
      if (!refusal) throw err;
      flash = refusal;
    }
    if (req.get('x-upload-progress') === '1') {
      setFlash(req, res, flash);
      res.json({ next: back });
      return;
    }
    redirectWithFlash(req, res, back, flash);
  });

  router.post(`${itemPath}/value`, async (req, res) => {
    const actor = pageActor(req);
    const { code, unit, item } = req.params;
    await actThenRedirect(req, res, backTo(req, item), async () => {
      const fields = formFields(req);
      const value = valueOf(fields.kind, (fields.value ?? '').trim());
      await setValue(db, actor, code, unit, item, { value });
      return { kind: 'success', key: value === null ? 'dossier.valueCleared' : 'dossier.valueSaved', params: { item } };
    });
  });

  router.post(`${itemPath}/review`, async (req, res) => {
    const actor = pageActor(req);
    const { code, unit, item } = req.params;
    await actThenRedirect(req, res, backTo(req, item), async () => {
      const fields = formFields(req);
      const input = validate(ReviewSchema, { decision: fields.decision, note: fields.note ?? null }, req.lang);
      const review = await reviewEntry(db, actor, code, unit, item, input);
      return { kind: 'success', key: `dossier.reviewed.${review.decision}`, params: { item } };
    });
  });

  router.post(`${unitPath}/files/:id/withdraw`, async (req, res) => {
    const actor = pageActor(req);
    const id = FileIdSchema.safeParse(req.params.id);
    if (!id.success) throw new NotFoundError('file.notFound');
    const item = formFields(req).item;
    await actThenRedirect(req, res, backTo(req, item), async () => {
      await withdrawFile(db, actor, id.data);
      return { kind: 'success', key: 'dossier.withdrawn' };
    });
  });

  router.post(`${unitPath}/findings`, async (req, res) => {
    const actor = pageActor(req);
    const { code, unit } = req.params;
    await actThenRedirect(req, res, `${backTo(req)}#findings`, async () => {
      const fields = formFields(req);
      const input = validate(FindingsSchema, {
        strengths: fields.strengths ?? '',
        shortcomings: fields.shortcomings ?? '',
        recommendations: fields.recommendations ?? '',
        conclusion: fields.conclusion ?? '',
      }, req.lang);
      await saveFindings(db, actor, code, unit, input);
      return { kind: 'success', key: 'dossier.findingsSaved' };
    });
  });

  return router;
}
