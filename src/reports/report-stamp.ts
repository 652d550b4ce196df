import { MANIFEST_FORMAT } from './manifest';

/**
 * A unit report carries, besides the printed "Mã kiểm chứng" line, a machine-readable stamp in
 * its PDF Keywords: `hoso-manifest/1 inspection=<code> unit=<code> sha256=<hex>`. Codes are ASCII
 * by their schemas, so the stamp is stored as a plain PDF string and can be read from the bytes.
 */
export interface ReportStamp {
  inspectionCode: string;
  unitCode: string;
  hash: string;
}

export function reportStamp(stamp: ReportStamp): string {
  return `${MANIFEST_FORMAT} inspection=${stamp.inspectionCode} unit=${stamp.unitCode} sha256=${stamp.hash}`;
}

const STAMP = /hoso-manifest\/1 inspection=([A-Za-z0-9._-]{1,64}) unit=([A-Za-z0-9._-]{1,64}) sha256=([0-9a-f]{64})/;

/** The stamp of a report PDF produced by Hồ sơ, or null when the file carries none. */
export function readReportStamp(pdf: Buffer): ReportStamp | null {
  const match = STAMP.exec(pdf.toString('latin1'));
  return match ? { inspectionCode: match[1]!, unitCode: match[2]!, hash: match[3]! } : null;
}
