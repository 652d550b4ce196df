import { randomBytes } from 'node:crypto';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { auditRoutes } from './audit/audit.routes';
import { authenticate } from './auth/auth.middleware';
import { authRoutes } from './auth/auth.routes';
import type { Config } from './config';
import type { Database } from './db/schema';
import { dossierRoutes } from './dossiers/dossiers.routes';
import type { ApiRouter } from './http/api-router';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { requestLogger } from './http/logger';
import { buildOpenApi } from './http/openapi';
import { refuseCrossSiteWrites, requireCsrfForCookieWrites, securityHeaders } from './http/security';
import { chooseLanguage, rememberLanguage } from './i18n/lang.middleware';
import { inspectionRoutes } from './inspections/inspections.routes';
import { appVersion } from './paths';
import { reportRoutes } from './reports/reports.routes';
import { type BlobStore, createBlobStore } from './storage';
import { templateRoutes } from './templates/templates.routes';
import { unitRoutes } from './units/units.routes';
import { userRoutes } from './users/users.routes';
import { staticFiles, webPages } from './web';

export const API_PREFIX = '/api/v1';

export interface AppDeps {
  config: Config;
  db: Kysely<Database>;
  logger: Logger;
  /** The file store; by default the directory store under the configured data directory. */
  store?: BlobStore;
  /**
   * Signs page cookies. `server.ts` passes the key shared through the database (`sharedSecret`);
   * a fresh random key serves a single in-process app, as in tests.
   */
  pageCookieKey?: Buffer;
}

/** Builds the Express app from injected config and database; `server.ts` and the tests share it. */
export function createApp({ config, db, logger, store = createBlobStore(config), pageCookieKey = randomBytes(32) }: AppDeps): Express {
  const app = express();
  app.locals.pageCookieKey = pageCookieKey;
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
  app.use(cookieParser());
  app.use(chooseLanguage(config.defaultLang));
  app.use(express.json({ limit: '1mb' }));
  // Room for forms that tick every unit of a province (one field per unit); the 1 MB cap still bounds them.
  app.use(express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 25_000 }));
  app.use(refuseCrossSiteWrites);
  app.use(authenticate(db));
  app.use(requireCsrfForCookieWrites(`${API_PREFIX}/session`));
  app.use(rememberLanguage(db));

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  const apis: ApiRouter[] = [
    authRoutes(db), unitRoutes(db), userRoutes(db), templateRoutes(db), inspectionRoutes(db), dossierRoutes(db, store, config),
    reportRoutes(db, store), auditRoutes(db),
  ];
  const openApi = buildOpenApi(API_PREFIX, apis.flatMap((a) => a.docs), appVersion);
  app.get(`${API_PREFIX}/openapi.json`, (_req, res) => {
    res.json(openApi);
  });
  for (const api of apis) app.use(API_PREFIX, api.router);
  app.use(webPages(db, store, config));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
