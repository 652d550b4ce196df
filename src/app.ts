import { randomBytes } from 'node:crypto';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { auditRoutes } from './audit/audit.routes';
import { authenticate } from './auth/auth.middleware';
import { authPages } from './auth/auth.pages';
import { authRoutes } from './auth/auth.routes';
import type { Config } from './config';
import type { Database } from './db/schema';
import { dossierPages } from './dossiers/dossiers.pages';
import { dossierRoutes } from './dossiers/dossiers.routes';
import type { ApiRouter } from './http/api-router';
import type { AppContext } from './http/app-context';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { chooseLanguage } from './http/language';
import { requestLogger } from './http/logger';
import { buildOpenApi } from './http/openapi';
import { sendAnonymousToLogin } from './http/page-requests';
import { refuseCrossSiteWrites, requireCsrfForCookieWrites, securityHeaders } from './http/security';
import { staticFiles } from './http/static-files';
import { appViews } from './http/views';
import { importPages } from './imports/imports.pages';
import { dashboardPages } from './inspections/dashboard.pages';
import { inspectionPages } from './inspections/inspections.pages';
import { inspectionRoutes } from './inspections/inspections.routes';
import { matrixPages } from './inspections/matrix.pages';
import { appVersion } from './paths';
import { reportRoutes } from './reports/reports.routes';
import { type BlobStore, createBlobStore } from './storage';
import { templatePages } from './templates/templates.pages';
import { templateRoutes } from './templates/templates.routes';
import { unitPages } from './units/units.pages';
import { unitRoutes } from './units/units.routes';
import { rememberLanguage } from './users/users.middleware';
import { userPages } from './users/users.pages';
import { userRoutes } from './users/users.routes';

export const API_PREFIX = '/api/v1';

export interface AppDeps {
  config: Config;
  db: Kysely<Database>;
  logger: Logger;
  /** The file store; by default the directory store under the configured data directory. */
  store?: BlobStore;
  /**
   * Signs the pages' cookies. `server.ts` passes the key shared through the database
   * (`sharedSecret`); a fresh random key serves a single in-process app, as in tests.
   */
  pageCookieKey?: Buffer;
}

/** Builds the Express app from injected config and database; `server.ts` and the tests share it. */
export function createApp({ config, db, logger, store = createBlobStore(config), pageCookieKey = randomBytes(32) }: AppDeps): Express {
  const app = express();
  const ctx: AppContext = { config, db, store, logger };
  app.disable('x-powered-by');
  // Every API answer and page is no-store, so no client sends an ETag back; computing one would
  // hash every body for nothing (static files keep theirs: express.static sets its own).
  app.set('etag', false);
  // Exactly one proxy, the TLS one in front: the client's address is the entry it added to
  // X-Forwarded-For (the last), never one the client wrote before it.
  app.set('trust proxy', config.trustProxy ? 1 : false);

  app.use(requestLogger(logger));
  app.use(securityHeaders());
  // API answers hold dossier data and the CSRF token: no browser or proxy cache may keep them.
  app.use(API_PREFIX, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  app.use(compression());
  app.use('/static', staticFiles());
  // The key signs the pages' own short-lived cookies (login CSRF, flash): see http/cookies.ts.
  app.use(cookieParser(pageCookieKey.toString('base64url')));
  app.use(chooseLanguage(config.defaultLang));
  app.use(express.json({ limit: '1mb' }));
  // Room for forms that tick every unit of a province (one field per unit); the 1 MB cap still bounds them.
  app.use(express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 25_000 }));
  app.use(refuseCrossSiteWrites);
  app.use(authenticate(db));
  app.use(requireCsrfForCookieWrites(`${API_PREFIX}/session`));
  app.use(rememberLanguage(ctx));

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  const apis: ApiRouter[] = [
    authRoutes(ctx), unitRoutes(ctx), userRoutes(ctx), templateRoutes(ctx), inspectionRoutes(ctx), dossierRoutes(ctx), reportRoutes(ctx), auditRoutes(ctx),
  ];
  const openApi = buildOpenApi(API_PREFIX, apis.flatMap((a) => a.docs), appVersion);
  app.get(`${API_PREFIX}/openapi.json`, (_req, res) => {
    res.json(openApi);
  });
  for (const api of apis) app.use(API_PREFIX, api.router);
  // Every server-rendered page; an anonymous visit to any of them (or to an unknown path) goes to
  // the login page first. Templates are compiled now, so a broken one stops start-up.
  appViews();
  app.use(sendAnonymousToLogin);
  app.use(
    authPages(ctx), dashboardPages(ctx), unitPages(ctx), userPages(ctx), templatePages(ctx), importPages(ctx),
    matrixPages(ctx), dossierPages(ctx), inspectionPages(ctx),
  );

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
