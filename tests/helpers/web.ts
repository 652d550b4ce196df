import type { Express } from 'express';
import request from 'supertest';

export type Agent = ReturnType<typeof request.agent>;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#x60;': '`', '&#x3D;': '=' };

/** Text as the browser reads it from an HTML attribute Handlebars escaped. */
export function decodeEntities(html: string): string {
  return html.replace(/&(amp|lt|gt|quot|#x27|#x60|#x3D);/g, (e) => ENTITIES[e] ?? e);
}

/** The value of the first `<input name="…">` on the page (as a browser would submit it). */
export function inputValue(html: string, name: string): string {
  const tag = new RegExp(`<input[^>]*name="${name.replace(/[.]/g, '\\.')}"[^>]*>`).exec(html)?.[0];
  const value = tag ? /value="([^"]*)"/.exec(tag)?.[1] : undefined;
  if (value === undefined) throw new Error(`no input named ${name} on the page`);
  return decodeEntities(value);
}

/** The CSRF token the page's forms carry. */
export function csrfOf(html: string): string {
  return inputValue(html, '_csrf');
}

/**
 * Signs in through the login form like a browser (cookies kept by the agent) and returns the
 * agent with the session's CSRF token, read from a signed-in page.
 */
export async function signIn(app: Express, username: string, password: string): Promise<{ agent: Agent; csrf: string }> {
  const agent = request.agent(app);
  const form = await agent.get('/login');
  const res = await agent.post('/login').type('form').send({ _csrf: csrfOf(form.text), username, password });
  if (res.status !== 303) throw new Error(`sign-in of ${username} failed: ${res.status}`);
  const home = await agent.get('/');
  return { agent, csrf: csrfOf(home.text) };
}
