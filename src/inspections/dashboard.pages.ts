import { Router } from 'express';
import { can, INSPECTIONS, inspectionScope } from '../auth/policy';
import type { AppContext } from '../http/app-context';
import { pageActor } from '../http/page-requests';
import { render } from '../http/render';
import { t } from '../i18n/messages';
import type { InspectionView } from '../inspections/inspections.schemas';
import { listInspections } from '../inspections/inspections.service';
import { type Progress, progressOf } from '../inspections/progress';
import { unitById } from '../units/units.repository';
import { inspectionCounts } from './inspections.repository';
import { inspectionPath, unitDossierPath } from './page-paths';

function groupByCode<T extends { code: string }>(rows: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(row.code, [...(groups.get(row.code) ?? []), row]);
  return groups;
}

/** A row of the dashboard: the inspection, its progress (the whole team's, or the secretary's unit's) and where it leads. */
function presentRow(inspection: InspectionView, progress: Progress, href: string) {
  return {
    code: inspection.code,
    title: inspection.title,
    teamName: inspection.teamName,
    status: inspection.status,
    dueAt: inspection.dueAt,
    overdue: inspection.overdue,
    unitCount: inspection.unitCodes.length,
    lead: inspection.members.find((m) => m.role === 'lead')?.displayName,
    progress,
    href,
  };
}

/** The tiles above the table: what is running, what waits for the team, what is late. */
function summaryOf(rows: ReturnType<typeof presentRow>[]) {
  const running = rows.filter((r) => r.status === 'open');
  return {
    open: running.length,
    toReview: running.reduce((n, r) => n + r.progress.counts.submitted, 0),
    returned: running.reduce((n, r) => n + r.progress.counts.returned, 0),
    overdue: rows.filter((r) => r.overdue).length,
  };
}

/**
 * GET /: the caller's inspections with status, due date and a progress bar. Progress for all of
 * them comes from one grouped query, however many there are; a secretary sees their own unit's
 * progress and goes straight to their unit's dossier.
 */
export function dashboardPages({ db }: AppContext): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const actor = pageActor(req);
    // The inspections a unit sees are its own unit's: their progress and dossier are that unit's.
    const scope = inspectionScope(actor);
    const unitId = 'unitId' in scope ? scope.unitId : undefined;
    const [inspections, unit] = await Promise.all([listInspections(db, actor), unitId === undefined ? undefined : unitById(db, unitId)]);
    const counts = groupByCode(await inspectionCounts(db, inspections.map((i) => i.code), unitId));
    const rows = inspections.map((inspection) => {
      const href = unit ? unitDossierPath(inspection.code, unit.code) : inspectionPath(inspection.code);
      return presentRow(inspection, progressOf(counts.get(inspection.code) ?? []), href);
    });
    render(req, res, 'inspections/dashboard', {
      title: t(req.lang, 'dashboard.title'),
      nav: 'dashboard',
      inspections: rows,
      summary: summaryOf(rows),
      unit,
      unitView: unitId !== undefined,
      canCreate: can(actor, 'manage', INSPECTIONS),
    });
  });
  return router;
}
