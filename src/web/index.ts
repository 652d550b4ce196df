import path from 'node:path';
import express, { type RequestHandler, Router } from 'express';
import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import { sendAnonymousToLogin } from '../http/pages';
import { appViews } from '../http/views';
import { projectRoot } from '../paths';
import type { BlobStore } from '../storage';
import { adminInspectionPages } from './admin-inspections.pages';
import { adminTemplatePages } from './admin-templates.pages';
import { adminUnitPages } from './admin-units.pages';
import { adminUserPages } from './admin-users.pages';
import { authPages } from './auth.pages';
import { dashboardPages } from './dashboard.pages';
import { dossierPages } from './dossier.pages';
import { importPages } from './import.pages';
import { inspectionPages } from './inspections.pages';

/** The stylesheet, images and any script, served as files under /static (no build step). */
export function staticFiles(): RequestHandler {
  return express.static(path.join(projectRoot, 'public'), { index: false, maxAge: '10m' });
}

/**
 * Every server-rendered page. An anonymous visit to any of them (or to an unknown path) is sent to
 * the login page first. Templates are compiled here, at start, so a broken one stops start-up.
 */
export function webPages(db: Kysely<Database>, store: BlobStore, config: Config): Router {
  appViews();
  const router = Router();
  router.use(sendAnonymousToLogin);
  router.use(authPages(db), dashboardPages(db), adminUnitPages(db), adminUserPages(db), adminTemplatePages(db), importPages(db));
  router.use(inspectionPages(db), dossierPages(db, store, config), adminInspectionPages(db));
  return router;
}
