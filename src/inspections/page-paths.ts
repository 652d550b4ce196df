/** Where an inspection's pages live, for links and redirects between them. */

/** The inspection's matrix page. */
export function inspectionPath(code: string): string {
  return `/inspections/${encodeURIComponent(code)}`;
}

/** A unit's dossier page within an inspection. */
export function unitDossierPath(code: string, unitCode: string): string {
  return `${inspectionPath(code)}/units/${encodeURIComponent(unitCode)}`;
}
