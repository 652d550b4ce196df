import { z } from 'zod';
import { ApiRouter } from '../http/api-router';
import type { AppContext } from '../http/app-context';
import { CreateUnitSchema, UnitSchema, UpdateUnitSchema } from './units.schemas';
import { createUnit, getUnit, listUnits, updateUnit } from './units.service';

export function unitRoutes({ db }: AppContext): ApiRouter {
  const api = new ApiRouter();
  const tag = 'units';
  api.post('/units', { tag, summary: 'Create a unit', body: CreateUnitSchema, response: UnitSchema, status: 201 }, async (_req, res, { actor, body }) => {
    res.status(201).json(await createUnit(db, actor, body));
  });
  api.get('/units', { tag, summary: 'List units', response: z.array(UnitSchema) }, async (_req, res, { actor }) => {
    res.json(await listUnits(db, actor));
  });
  api.get('/units/:code', { tag, summary: 'One unit', response: UnitSchema }, async (_req, res, { actor, param }) => {
    res.json(await getUnit(db, actor, param('code')));
  });
  api.patch('/units/:code', { tag, summary: 'Rename or move a unit', body: UpdateUnitSchema, response: UnitSchema }, async (_req, res, { actor, param, body }) => {
    res.json(await updateUnit(db, actor, param('code'), body));
  });
  return api;
}
