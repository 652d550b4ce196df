import fs from 'node:fs';
import path from 'node:path';

/**
 * The folder holding package.json. Code runs from `src/` under tsx and jest and from `dist/src/`
 * once built, so views and fixtures are found by walking up rather than by a fixed `..`.
 */
function findProjectRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

export const projectRoot = findProjectRoot(__dirname);
export const viewsDir = path.join(projectRoot, 'views');
export const fixturesDir = path.join(projectRoot, 'fixtures');

export const appVersion = (JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
