import fs from 'node:fs';
import type { Actor } from '../src/core/actor';
import { readReportStamp, type ReportStamp } from '../src/reports/report-stamp';
import { verifyReport } from '../src/reports/verify-report';
import { createBlobStore } from '../src/storage';
import { openCliContext, runTask } from './cli-context';

const USAGE = 'usage: npm run verify-report -- REPORT.pdf\n       npm run verify-report -- --inspection CODE --unit CODE --hash SHA256 (the code printed on a paper copy)';

function stampFromArgs(args: string[]): ReportStamp {
  const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const [inspectionCode, unitCode, hash] = [flag('inspection'), flag('unit'), flag('hash')?.toLowerCase()];
  if (inspectionCode && unitCode && hash) return { inspectionCode, unitCode, hash };
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new Error(USAGE);
  const stamp = readReportStamp(fs.readFileSync(file));
  if (!stamp) throw new Error(`${file} carries no Hồ sơ verification stamp (is it a unit report made by Hồ sơ?)`);
  return stamp;
}

/** The archive is read with full rights: this runs on the server, by its operator. */
const operator: Actor = { id: 0, username: 'verify-report', displayName: 'verify-report', role: 'admin', unitId: null };

runTask(async () => {
  const stamp = stampFromArgs(process.argv.slice(2));
  const { config, db } = await openCliContext();
  const result = await verifyReport(db, createBlobStore(config), operator, stamp);
  await db.destroy();
  process.stdout.write(`Inspection ${stamp.inspectionCode}, unit ${stamp.unitCode}\n`);
  process.stdout.write(`  printed:  ${stamp.hash}\n  archive:  ${result.currentHash}\n`);
  for (const f of result.damagedFiles) process.stdout.write(`  file ${f.problem}: ${f.name} (${f.sha256})\n`);
  process.stdout.write(result.matches ? 'MATCH: the report matches the archive.\n' : 'MISMATCH: the archive no longer matches this report.\n');
  process.exitCode = result.matches ? 0 : 1;
});
