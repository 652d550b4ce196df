import { type Request, Router } from 'express';
import { z } from 'zod';
import { can } from '../auth/policy';
import { ForbiddenError, NotFoundError } from '../core/errors';
import { formatNumber } from '../core/format';
import { STATUS_CHANGES, ENTRY_STATUSES, isOneOf } from '../core/vocabulary';
import type { AppContext } from '../http/app-context';
import { actThenRedirect, formFields } from '../http/forms';
import { pageActor, safeNextPath } from '../http/page-requests';
import { render } from '../http/render';
import { t } from '../i18n/messages';
import { changeInspectionStatus, getInspection, getProgress } from '../inspections/inspections.service';
import { subjectOfVisible } from './inspection-access';
import { matrixCells, matrixItems } from './inspections.repository';
import {
  CELL_CLASS,
  cellRows,
  filterUnits,
  type MatrixFilter,
  pageNumbers,
  pageOf,
  sectionSpans,
  statusActionFor,
} from './matrix.model';
import { inspectionPath, unitDossierPath } from './page-paths';

/** Units per page of the matrix: 200 × 40 cells stay a light page; the filter narrows further. */
export const MATRIX_PAGE_SIZE = 200;

const MAX_QUERY_LENGTH = 200;

function queryText(req: Request, name: string): string {
  const value = req.query[name];
  return typeof value === 'string' ? value.slice(0, MAX_QUERY_LENGTH) : '';
}

function filterOf(req: Request): MatrixFilter {
  const status = queryText(req, 'status');
  return { q: queryText(req, 'q').trim(), status: isOneOf(ENTRY_STATUSES, status) ? status : undefined };
}

/** The matrix URL with this filter and page (empty parts left out, so links stay short). */
function matrixHref(code: string, filter: MatrixFilter, page: number): string {
  const params = new URLSearchParams();
  if (filter.q) params.set('q', filter.q);
  if (filter.status) params.set('status', filter.status);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `${inspectionPath(code)}?${query}` : inspectionPath(code);
}

const ActionSchema = z.enum(STATUS_CHANGES);

function actionOf(value: string) {
  const parsed = ActionSchema.safeParse(value);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

/**
 * The inspection matrix (units × items, a coloured cell per status) and the confirm-then-change
 * forms for opening, closing and reopening an inspection.
 */
export function matrixPages({ db }: AppContext): Router {
  const router = Router();

  router.get('/inspections/:code', async (req, res) => {
    const actor = pageActor(req);
    const code = req.params.code;
    const progress = await getProgress(db, actor, code);
    const subject = subjectOfVisible(progress.inspection, actor);
    if (!can(actor, 'team', subject)) {
      // A unit sees its own row only: its dossier page is that row, in full.
      const own = progress.units[0];
      if (own) return res.redirect(303, unitDossierPath(code, own.unitCode));
      throw new NotFoundError('inspection.notFound', { code });
    }

    const filter = filterOf(req);
    const slice = pageOf(filterUnits(progress.units, filter), Number(queryText(req, 'page') || '1'), MATRIX_PAGE_SIZE);
    const items = await matrixItems(db, code);
    const cells = cellRows(slice.rows.map((u) => u.unitCode), items, await matrixCells(db, code, slice.rows.map((u) => u.unitCode)));
    const inspection = progress.inspection;
    render(req, res, 'inspections/matrix', {
      title: inspection.title,
      nav: 'dashboard',
      inspection,
      totals: progress.totals,
      legend: ENTRY_STATUSES.map((status) => ({ status, letter: CELL_CLASS[status], count: progress.totals.counts[status] })),
      items,
      sections: sectionSpans(items),
      rows: slice.rows.map((u) => ({
        code: u.unitCode,
        name: u.unitName,
        percent: u.percent,
        href: unitDossierPath(code, u.unitCode),
        cells: cells.get(u.unitCode) ?? [],
      })),
      filter,
      filtered: Boolean(filter.q || filter.status),
      statusOptions: [
        { value: '', label: t(req.lang, 'matrix.anyStatus') },
        ...ENTRY_STATUSES.map((s) => ({ value: s, label: t(req.lang, `status.${s}`) })),
      ],
      slice: {
        from: formatNumber(slice.from, req.lang),
        to: formatNumber(slice.to, req.lang),
        total: slice.total === 0 ? '' : formatNumber(slice.total, req.lang),
        unitCount: formatNumber(progress.units.length, req.lang),
      },
      pages: slice.pageCount > 1
        ? pageNumbers(slice.page, slice.pageCount).map((n) => (n === 0 ? { gap: true } : { n, href: matrixHref(code, filter, n), current: n === slice.page }))
        : [],
      prevHref: slice.page > 1 ? matrixHref(code, filter, slice.page - 1) : undefined,
      nextHref: slice.page < slice.pageCount ? matrixHref(code, filter, slice.page + 1) : undefined,
      statusAction: statusActionFor(actor, subject),
      exports: {
        summary: `/api/v1${inspectionPath(code)}/report.pdf`,
        xlsx: `/api/v1${inspectionPath(code)}/export.xlsx`,
        csv: `/api/v1${inspectionPath(code)}/export.csv`,
      },
    });
  });

  /** The confirm step: what the change means, and the form that makes it. */
  router.get('/inspections/:code/status/:action', async (req, res) => {
    const actor = pageActor(req);
    const action = actionOf(req.params.action);
    const inspection = await getInspection(db, actor, req.params.code);
    const subject = subjectOfVisible(inspection, actor);
    // The team's page: to the unit it does not exist.
    if (!can(actor, 'team', subject)) throw new NotFoundError('inspection.notFound', { code: inspection.code });
    if (statusActionFor(actor, subject) !== action) throw new ForbiddenError();
    const back = safeNextPath(req.query.next) ?? inspectionPath(inspection.code);
    render(req, res, 'inspections/confirm', {
      title: t(req.lang, `inspection.confirm.${action}.title`, { code: inspection.code }),
      nav: 'dashboard',
      inspection,
      action,
      back,
    });
  });

  router.post('/inspections/:code/status/:action', async (req, res) => {
    const actor = pageActor(req);
    const action = actionOf(req.params.action);
    const code = req.params.code;
    const back = safeNextPath(formFields(req).next) ?? inspectionPath(code);
    await actThenRedirect(req, res, back, async () => {
      const changed = await changeInspectionStatus(db, actor, code, action);
      return { kind: 'success', key: `inspection.changed.${action}`, params: { code: changed.code } };
    });
  });

  return router;
}
