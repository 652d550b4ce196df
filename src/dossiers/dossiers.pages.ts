import { type Request, Router } from 'express';
import { z } from 'zod';
import { can, type UnitSubject } from '../auth/policy';
import type { Actor } from '../core/actor';
import { NotFoundError, ValidationError } from '../core/errors';
import { formatFileSize, formatNumber } from '../core/format';
import { ENTRY_STATUSES, REVIEW_DECISIONS, type Lang } from '../core/vocabulary';
import { type EntryView, type UnitDossier, FindingsSchema, ReviewSchema } from '../dossiers/dossiers.schemas';
import { getUnitDossier, reviewEntry, saveFindings, setValue, withdrawFile } from '../dossiers/dossiers.service';
import { MAX_FILES_PER_UPLOAD, uploadToEntry } from '../dossiers/dossiers.upload';
import type { AppContext } from '../http/app-context';
import { type Flash, redirectWithFlash, setFlash } from '../http/flash';
import { actThenRedirect, flashOfError, formFields } from '../http/forms';
import { pageActor } from '../http/page-requests';
import { render } from '../http/render';
import { validate } from '../http/validate';
import { t } from '../i18n/messages';
import { inspectionFor, unitFor } from '../inspections/inspection-access';
import type { InspectionView } from '../inspections/inspections.schemas';
import { getInspection } from '../inspections/inspections.service';
import { inspectionPath, unitDossierPath } from '../inspections/page-paths';
import { progressOf } from '../inspections/progress';
import { acceptsSubmission, acceptsWithdrawal, decisionApplies } from './entry-state';

/** What the file picker offers; the server decides by content (storage/sniff.ts). */
const ACCEPTED_FILES = '.pdf,.doc,.docx,.xls,.xlsx,.odt,.ods,.jpg,.jpeg,.png,.tif,.tiff';
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

/** What the viewer may do on this dossier page, from the policy and the inspection's state. */
interface Viewer {
  lang: Lang;
  /** The inspection takes uploads, values and reviews. */
  open: boolean;
  /** The unit's own side: uploads, values, withdrawals (the policy's `submit`). */
  submits: boolean;
  /** The team's side: decisions and findings (the policy's `review`). */
  reviews: boolean;
  /** Display names of the team, for the review history (which records usernames). */
  names: Map<string, string>;
}

function presentEntry(entry: EntryView, base: string, viewer: Viewer) {
  const submitting = viewer.submits && viewer.open;
  const itemPath = `${base}/items/${encodeURIComponent(entry.itemCode)}`;
  const decisions = Object.fromEntries(REVIEW_DECISIONS.map((d) => [d, viewer.reviews && viewer.open && decisionApplies(entry.status, d)]));
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
      sizeText: formatFileSize(f.size, viewer.lang),
      withdrawPath: `${base}/files/${f.id}/withdraw`,
    })),
    canUpload: submitting && entry.kind === 'file' && acceptsSubmission(entry.status),
    canWithdraw: submitting && acceptsWithdrawal(entry.status),
    canSetValue: submitting && entry.kind !== 'file' && acceptsSubmission(entry.status),
    uploadPath: `${itemPath}/files`,
    valuePath: `${itemPath}/value`,
    reviewPath: `${itemPath}/review`,
    decisions,
    canReview: REVIEW_DECISIONS.some((d) => decisions[d]),
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

function presentDossier(dossier: UnitDossier, inspection: InspectionView, actor: Actor, subject: UnitSubject, viewer: Viewer) {
  const base = unitDossierPath(inspection.code, dossier.unit.code);
  const api = `/api/v1${base}`;
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
    canEditFindings: viewer.reviews && viewer.open,
    // An empty findings section is shown only as the team's form to fill in.
    showFindings: can(actor, 'readFindings', subject) && ((viewer.reviews && viewer.open) || hasFindings),
    reports: {
      unitReport: can(actor, 'readReport', subject) ? `${api}/report.pdf` : undefined,
      requestLetter: can(actor, 'requestLetter', subject) ? `${api}/request-letter.pdf` : undefined,
      bundle: can(actor, 'bundle', subject) ? `${api}/bundle.zip` : undefined,
    },
    submitting: viewer.submits && viewer.open,
  };
}

/**
 * A unit's dossier page (items by section with their files, values, decisions and history; the
 * team's findings; report buttons) and its forms: uploads, figures and withdrawals for the unit's
 * secretary, decisions and findings for the team. Every form posts, acts through the dossier
 * service and comes back to the item it was about, with a message.
 */
export function dossierPages({ db, store, config }: AppContext): Router {
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
    const { subject } = await unitFor(db, actor, await inspectionFor(db, actor, code), unit);
    const [dossier, inspection] = await Promise.all([getUnitDossier(db, actor, code, unit), getInspection(db, actor, code)]);
    const viewer: Viewer = {
      lang: req.lang,
      open: inspection.status === 'open',
      submits: can(actor, 'submit', subject),
      reviews: can(actor, 'review', subject),
      names: new Map(inspection.members.map((m) => [m.username, m.displayName])),
    };
    const team = can(actor, 'team', subject.inspection);
    render(req, res, 'dossiers/unit', {
      title: dossier.unit.name,
      nav: 'dashboard',
      ...presentDossier(dossier, inspection, actor, subject, viewer),
      backHref: team ? inspectionPath(inspection.code) : '/',
      backLabel: t(req.lang, team ? 'dossier.backToMatrix' : 'nav.dashboard'),
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
      const refusal = flashOfError(err);
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
