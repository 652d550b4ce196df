import { Router } from 'express';
import { pageActor, render } from '../http/pages';
import { t } from '../i18n/messages';

/** GET /: for now a page of links by role; the inspections dashboard replaces its view. */
export function dashboardPages(): Router {
  const router = Router();
  router.get('/', (req, res) => {
    pageActor(req);
    render(req, res, 'dashboard/index', { title: t(req.lang, 'dashboard.title'), nav: 'dashboard' });
  });
  return router;
}
