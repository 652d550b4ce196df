import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * What the benchmark uploads: PDF files as a scanner writes them, a header, one binary stream of
 * incompressible bytes and a trailer, so that the server's type sniffing accepts them as
 * application/pdf and nothing compresses or deduplicates them.
 */

const HEAD = '%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<< /Type /XObject /Subtype /Image /Filter /DCTDecode /Length ';
const TAIL = '\nendstream\nendobj\ntrailer\n<< /Size 2 >>\n%%EOF\n';

function framing(size: number): { head: Buffer; tail: Buffer; body: number } {
  const tail = Buffer.from(TAIL, 'latin1');
  // The length field's own digits count towards the size; any body length has at most 10 of them.
  const probe = Buffer.from(`${HEAD}${size} >>\nstream\n`, 'latin1');
  const body = size - probe.length - tail.length;
  if (body <= 0) throw new Error(`a PDF of ${size} bytes is too small`);
  return { head: Buffer.from(`${HEAD}${String(body).padStart(String(size).length, '0')} >>\nstream\n`, 'latin1'), tail, body };
}

/** A PDF of exactly `size` bytes with random content. */
export function pdfBytes(size: number): Buffer {
  const { head, tail, body } = framing(size);
  return Buffer.concat([head, randomBytes(body), tail]);
}

/** Writes a PDF of exactly `size` bytes to `file`, 1 MiB of fresh random bytes at a time. */
export async function writePdfFile(file: string, size: number): Promise<void> {
  const { head, tail, body } = framing(size);
  function* chunks(): Generator<Buffer> {
    yield head;
    for (let left = body; left > 0; left -= 1 << 20) yield randomBytes(Math.min(left, 1 << 20));
    yield tail;
  }
  await pipeline(Readable.from(chunks()), fs.createWriteStream(file));
}

/** A small deterministic generator (mulberry32), so every run builds the same sizes and choices. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
