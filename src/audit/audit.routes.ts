import type { Kysely } from 'kysely';
import { requireRole } from '../auth/permissions';
import { inspectionFor, requireReviewer } from '../inspections/inspection-access';
import type { Database } from '../db/schema';
import { ApiRouter } from '../http/api-router';
import { AuditQuerySchema, ChainReportSchema } from './audit.schemas';
import { listAuditEvents, verifyChain } from './audit.service';

export function auditRoutes(db: Kysely<Database>): ApiRouter {
  const api = new ApiRouter();
  const tag = 'audit';
  api.get('/audit', { tag, summary: 'Audit events, oldest first (an inspection’s team may read its own)', query: AuditQuerySchema }, async (_req, res, { actor, query }) => {
    if (query.inspection !== undefined && actor.role !== 'admin') {
      requireReviewer(await inspectionFor(db, actor, query.inspection));
    } else {
      requireRole(actor, 'admin');
    }
    res.json({ events: await listAuditEvents(db, { inspectionCode: query.inspection, afterId: query.after, limit: query.limit }) });
  });
  api.get('/audit/verify', { tag, summary: 'Recompute the audit hash chain', response: ChainReportSchema }, async (_req, res, { actor }) => {
    requireRole(actor, 'admin');
    res.json(await verifyChain(db));
  });
  return api;
}
