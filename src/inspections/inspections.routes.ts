import { z } from 'zod';
import { ApiRouter } from '../http/api-router';
import type { AppContext } from '../http/app-context';
import { CreateInspectionSchema, InspectionViewSchema, ProgressSchema } from './inspections.schemas';
import { changeInspectionStatus, createInspection, getInspection, getProgressJson, listInspections } from './inspections.service';

export function inspectionRoutes({ db }: AppContext): ApiRouter {
  const api = new ApiRouter();
  const tag = 'inspections';
  api.post('/inspections', { tag, summary: 'Create a draft inspection from a template', body: CreateInspectionSchema, response: InspectionViewSchema, status: 201 }, async (_req, res, { actor, body }) => {
    res.status(201).json(await createInspection(db, actor, body));
  });
  api.get('/inspections', { tag, summary: 'Inspections the caller may see', response: z.array(InspectionViewSchema) }, async (_req, res, { actor }) => {
    res.json(await listInspections(db, actor));
  });
  api.get('/inspections/:code', { tag, summary: 'One inspection', response: InspectionViewSchema }, async (_req, res, { actor, param }) => {
    res.json(await getInspection(db, actor, param('code')));
  });
  for (const action of ['open', 'close', 'reopen'] as const) {
    const summary = { open: 'Open a draft inspection (admin or lead)', close: 'Close an open inspection (admin or lead)', reopen: 'Reopen a closed inspection (admin)' }[action];
    api.post(`/inspections/:code/${action}`, { tag, summary, response: InspectionViewSchema }, async (_req, res, { actor, param }) => {
      res.json(await changeInspectionStatus(db, actor, param('code'), action));
    });
  }
  api.get('/inspections/:code/progress', { tag, summary: 'Progress per unit and in total', response: ProgressSchema }, async (_req, res, { actor, param }) => {
    // The same text res.json would send, kept between requests (see getProgressJson).
    res.type('json').send(await getProgressJson(db, actor, param('code')));
  });
  return api;
}
