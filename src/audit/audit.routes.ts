import { AUDIT, authorize, can } from '../auth/policy';
import { ApiRouter } from '../http/api-router';
import type { AppContext } from '../http/app-context';
import { inspectionFor } from '../inspections/inspection-access';
import { AuditQuerySchema, ChainReportSchema } from './audit.schemas';
import { listAuditEvents, verifyChain } from './audit.service';

export function auditRoutes({ db }: AppContext): ApiRouter {
  const api = new ApiRouter();
  const tag = 'audit';
  api.get('/audit', { tag, summary: 'Audit events, oldest first (an inspection’s team may read its own)', query: AuditQuerySchema }, async (_req, res, { actor, query }) => {
    // An administrator reads every event; an inspection's team reads that inspection's own.
    if (query.inspection === undefined || can(actor, 'read', AUDIT)) authorize(actor, 'read', AUDIT);
    else authorize(actor, 'team', (await inspectionFor(db, actor, query.inspection)).subject);
    res.json({ events: await listAuditEvents(db, { inspectionCode: query.inspection, afterId: query.after, limit: query.limit }) });
  });
  api.get('/audit/verify', { tag, summary: 'Recompute the audit hash chain', response: ChainReportSchema }, async (_req, res, { actor }) => {
    authorize(actor, 'read', AUDIT);
    res.json(await verifyChain(db));
  });
  return api;
}
