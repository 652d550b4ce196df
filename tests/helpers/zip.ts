import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ZipEntry {
  name: string;
  utf8: boolean;
  sha256: string;
  base64: string;
}

/** Reads a ZIP with Python's zipfile (always on these machines), which checks each entry's CRC. */
export function readZip(file: string): ZipEntry[] {
  const script = [
    'import base64, hashlib, json, sys, zipfile',
    'with zipfile.ZipFile(sys.argv[1]) as z:',
    '    print(json.dumps([{"name": i.filename, "utf8": bool(i.flag_bits & 0x800),',
    '        "sha256": hashlib.sha256(z.read(i)).hexdigest(), "base64": base64.b64encode(z.read(i)).decode()}',
    '        for i in z.infolist()]))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, file], { maxBuffer: 64 * 1024 * 1024 }).toString('utf8')) as ZipEntry[];
}

/** The same, for ZIP bytes in memory. */
export function readZipBuffer(zip: Buffer): ZipEntry[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-zip-'));
  try {
    const file = path.join(dir, 'bundle.zip');
    fs.writeFileSync(file, zip);
    return readZip(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
