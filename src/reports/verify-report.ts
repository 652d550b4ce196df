import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Actor } from '../core/actor';
import type { Database } from '../db/schema';
import { getUnitDossier } from '../dossiers/dossiers.service';
import type { BlobStore } from '../storage';
import type { ReportStamp } from './report-stamp';
import { dossierManifestHash } from './reports.service';

export interface VerifyResult {
  /** The printed hash equals the manifest recomputed from the archive now. */
  matches: boolean;
  currentHash: string;
  /** Files whose stored bytes are missing or no longer hash to what the manifest lists. */
  damagedFiles: { name: string; sha256: string; problem: 'missing' | 'corrupt' }[];
}

async function hashOf(store: BlobStore, sha256: string): Promise<string | null> {
  if (!(await store.has(sha256))) return null;
  const hash = createHash('sha256');
  for await (const chunk of await store.createReadStream(sha256)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Recomputes the unit's manifest from the database and re-hashes every current file in the store,
 * so a printed report can be checked against the archive years later.
 */
export async function verifyReport(db: Kysely<Database>, store: BlobStore, actor: Actor, stamp: ReportStamp): Promise<VerifyResult> {
  const dossier = await getUnitDossier(db, actor, stamp.inspectionCode, stamp.unitCode);
  const currentHash = dossierManifestHash(stamp.inspectionCode, dossier);
  const damagedFiles: VerifyResult['damagedFiles'] = [];
  for (const file of dossier.entries.flatMap((e) => e.files)) {
    const actual = await hashOf(store, file.sha256);
    if (actual !== file.sha256) damagedFiles.push({ name: file.name, sha256: file.sha256, problem: actual === null ? 'missing' : 'corrupt' });
  }
  return { matches: currentHash === stamp.hash && damagedFiles.length === 0, currentHash, damagedFiles };
}
