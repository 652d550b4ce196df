import { z } from 'zod';
import { ApiRouter } from '../http/api-router';
import type { AppContext } from '../http/app-context';
import { validate } from '../http/validate';
import { sendBlob } from '../storage/download';
import { FileViewSchema, FindingsSchema, StatusSchema, FindingsViewSchema, ReviewSchema, ReviewViewSchema, UnitDossierSchema, ValueSchema } from './dossiers.schemas';
import { fileForDownload, getUnitDossier, reviewEntry, saveFindings, setValue, withdrawFile } from './dossiers.service';
import { uploadToEntry } from './dossiers.upload';

const FileIdSchema = z.coerce.number().int().positive();
const StatusAnswer = z.object({ status: StatusSchema });

export function dossierRoutes({ db, store, config }: AppContext): ApiRouter {
  const api = new ApiRouter();
  const tag = 'dossiers';
  const upload = uploadToEntry(db, store, config);
  const unitPath = '/inspections/:code/units/:unit';
  const itemPath = `${unitPath}/items/:item`;

  api.get(unitPath, { tag, summary: 'A unit’s entries, files and findings', response: UnitDossierSchema }, async (_req, res, { actor, param }) => {
    res.set('Cache-Control', 'no-store');
    res.json(await getUnitDossier(db, actor, param('code'), param('unit')));
  });

  api.post(
    `${itemPath}/files`,
    { tag, summary: 'Upload one or more files (multipart field `file`)', multipartField: 'file', response: FileViewSchema, status: 201 },
    async (req, res, { actor, param }) => {
      const files = await upload(req, res, actor, { code: param('code'), unitCode: param('unit'), itemCode: param('item') });
      // One file answers as that file (the contract); several also list all of them.
      res.status(201).json(files.length === 1 ? files[0] : { ...files[0], files });
    },
  );

  api.get('/files/:id', { tag, summary: 'Download a file', response: { contentType: 'application/octet-stream' } }, async (req, res, { actor, param }) => {
    const file = await fileForDownload(db, actor, validate(FileIdSchema, param('id'), req.lang));
    await sendBlob(res, store, file);
  });

  api.delete('/files/:id', { tag, summary: 'Withdraw a file (kept, hidden, audited)', response: StatusAnswer }, async (req, res, { actor, param }) => {
    res.json({ status: await withdrawFile(db, actor, validate(FileIdSchema, param('id'), req.lang)) });
  });

  api.put(`${itemPath}/value`, { tag, summary: 'Set the figure or text of an item', body: ValueSchema, response: StatusAnswer }, async (_req, res, { actor, param, body }) => {
    res.json({ status: await setValue(db, actor, param('code'), param('unit'), param('item'), body) });
  });

  api.post(`${itemPath}/review`, { tag, summary: 'Accept, return, waive or reopen an item', body: ReviewSchema, response: ReviewViewSchema }, async (_req, res, { actor, param, body }) => {
    res.json(await reviewEntry(db, actor, param('code'), param('unit'), param('item'), body));
  });

  api.put(`${unitPath}/findings`, { tag, summary: 'Save the team’s findings for a unit', body: FindingsSchema, response: FindingsViewSchema }, async (_req, res, { actor, param, body }) => {
    res.json(await saveFindings(db, actor, param('code'), param('unit'), body));
  });
  return api;
}
