import { z } from 'zod';
import { ApiRouter } from '../http/api-router';
import type { AppContext } from '../http/app-context';
import { CreateTemplateSchema, TemplateViewSchema, UpdateTemplateSchema } from './templates.schemas';
import { createTemplate, getTemplate, listTemplates, updateTemplate } from './templates.service';

export function templateRoutes({ db }: AppContext): ApiRouter {
  const api = new ApiRouter();
  const tag = 'templates';
  api.post('/templates', { tag, summary: 'Create a checklist template', body: CreateTemplateSchema, response: TemplateViewSchema, status: 201 }, async (_req, res, { actor, body }) => {
    res.status(201).json(await createTemplate(db, actor, body));
  });
  api.get('/templates', { tag, summary: 'List checklist templates', response: z.array(TemplateViewSchema) }, async (_req, res, { actor }) => {
    res.json(await listTemplates(db, actor));
  });
  api.get('/templates/:code', { tag, summary: 'One checklist template', response: TemplateViewSchema }, async (_req, res, { actor, param }) => {
    res.json(await getTemplate(db, actor, param('code')));
  });
  api.put('/templates/:code', { tag, summary: 'Replace a template’s title and items', body: UpdateTemplateSchema, response: TemplateViewSchema }, async (_req, res, { actor, param, body }) => {
    res.json(await updateTemplate(db, actor, param('code'), body));
  });
  return api;
}
