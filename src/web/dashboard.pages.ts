import { Router } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { pageActor, render } from '../http/pages';
import type { Actor } from '../core/actor';
import { t } from '../i18n/messages';
import type { InspectionView } from '../inspections/inspections.schemas';
import { listInspections } from '../inspections/inspections.service';
import { type Progress, progressOf } from '../inspections/progress';
import { inspectionCounts, unitById } from './matrix.repository';

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
export function dashboardPages(db: Kysely<Database>): Router {
  const router = Router();

  async function ownUnit(actor: Actor) {
    return actor.role === 'secretary' && actor.unitId !== null ? unitById(db, actor.unitId) : undefined;
  }

  router.get('/', async (req, res) => {
    const actor = pageActor(req);
    const [inspections, unit] = await Promise.all([listInspections(db, actor), ownUnit(actor)]);
    const counts = groupByCode(
      await inspectionCounts(db, inspections.map((i) => i.code), actor.role === 'secretary' ? (actor.unitId ?? -1) : undefined),
    );
    const rows = inspections.map((inspection) => {
      const code = encodeURIComponent(inspection.code);
      const href = unit ? `/inspections/${code}/units/${encodeURIComponent(unit.code)}` : `/inspections/${code}`;
      return presentRow(inspection, progressOf(counts.get(inspection.code) ?? []), href);
    });
    render(req, res, 'dashboard/index', {
      title: t(req.lang, 'dashboard.title'),
      nav: 'dashboard',
      inspections: rows,
      summary: summaryOf(rows),
      unit,
    });
  });
  return router;
}
