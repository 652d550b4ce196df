import fs from 'node:fs';
import path from 'node:path';
import type { Role } from './role-cast';

/**
 * PRODUCT.md §3, the permission table, as written there (cell for cell), and what each cell means
 * for the roles of the role cast. The permission tests read their expectations from this, never
 * from the application's own policy, so a rule that drifts from the product is caught.
 * `productTable()` reads the table out of ../shared/PRODUCT.md when it is beside the repository,
 * so a test can check that this transcription is still the product's.
 */
export const SECTION_3 = {
  directory: ['units, users, templates', 'yes', 'read', 'no'],
  inspectionLifecycle: ['create/open/close inspection', 'yes', 'lead may open/close', 'no'],
  progress: ['see progress of an inspection', 'yes', 'yes', 'own unit’s row only'],
  dossier: ['see a unit’s entries and files', 'yes', 'yes', 'own unit'],
  submit: ['upload / withdraw / set value', 'no', 'no', 'own unit, inspection open'],
  review: ['review (accept/return/waive/reopen), findings', 'yes', 'yes', 'no'],
  reports: ['reports (PDF, XLSX, bundle)', 'yes', 'yes', 'own unit’s report once closed'],
} as const;

export type Section3Row = keyof typeof SECTION_3;

/** The table's rows as PRODUCT.md has them (quotes normalised), or null when it is not beside the repository. */
export function productTable(): string[][] | null {
  const file = path.join(__dirname, '../../../shared/PRODUCT.md');
  if (!fs.existsSync(file)) return null;
  const text = fs.readFileSync(file, 'utf8');
  const section = text.slice(text.indexOf('## 3. Permissions'), text.indexOf('## 4.'));
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[-| ]+\|$/.test(line) && !line.startsWith('| action'))
    .map((line) => line.slice(1, -1).split('|').map((cell) => cell.trim().replace(/'/g, '’')));
}

/** What a route does, for the cells that say "read" or name one act ("lead may open/close", "report"). */
export type Act = 'read' | 'write' | 'create' | 'openClose' | 'unitReport';

/**
 * Whether `role` may do `act` under §3's row, as the role cast is built: an open inspection of two
 * units, A (the one every route is about) and B. Inspectors of the team are the "inspector"
 * column; an inspector from outside is not "a member of that inspection" and the directory is the
 * only row open to them; a secretary is allowed only what names their own unit.
 */
export function allowedBy(row: Section3Row, act: Act, role: Role): boolean {
  const [, admin, inspector, secretary] = SECTION_3[row];
  const member = role === 'lead' || role === 'member';
  switch (role) {
    case 'admin':
      return admin === 'yes';
    case 'lead':
    case 'member':
    case 'outsideInspector':
      if (inspector === 'read') return act === 'read';
      if (!member) return false;
      if (inspector === 'lead may open/close') return role === 'lead' && act === 'openClose';
      return inspector === 'yes';
    case 'ownSecretary':
    case 'otherSecretary': {
      if (secretary === 'own unit’s row only') return true;
      if (role !== 'ownSecretary') return false;
      // The inspection of the role cast is open, not closed: the unit's report is not yet theirs.
      return secretary === 'own unit' || secretary === 'own unit, inspection open';
    }
    case 'outsideSecretary':
    case 'anonymous':
      return false;
  }
}

/**
 * Who sees that a resource exists (§3: "anything outside a person's scope answers 404 … or 403"):
 * refused roles who can see it get 403, the others 404 (its existence is not revealed), and
 * nobody signed in 401. The directory exists for everyone signed in; an inspection for its team
 * and its units' secretaries; unit A for the team and A's secretary.
 */
export function refusedStatus(scope: 'directory' | 'inspection' | 'unit', role: Role): 401 | 403 | 404 {
  if (role === 'anonymous') return 401;
  if (scope === 'directory') return 403;
  const team = role === 'admin' || role === 'lead' || role === 'member';
  const sees = scope === 'inspection' ? team || role === 'ownSecretary' || role === 'otherSecretary' : team || role === 'ownSecretary';
  return sees ? 403 : 404;
}
