import type { OpsProgress } from '../src/ops/blobs';
import { formatBytes, formatDuration } from '../src/ops/format';

/** Bytes done of bytes to do, for tasks whose items differ in size (files). */
export interface ByteProgress {
  done: number;
  total: number;
}

/**
 * Progress for command-line tasks: a live line on a terminal (done of total, bytes, elapsed time,
 * time left), nothing at all when output is not a terminal or CI is set (CI logs stay quiet).
 * Time left follows the bytes when they are given, since reading a file takes time by its size.
 */
export function progressPrinter(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  const live = stream.isTTY === true && !process.env.CI;
  let last = 0;
  let shown = false;
  return {
    update(done: number, total: number, unit = 'items', bytes?: ByteProgress): void {
      if (!live) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      shown = true;
      const elapsed = (now - started) / 1000;
      const [partDone, partTotal] = bytes && bytes.total > 0 ? [bytes.done, bytes.total] : [done, total];
      const left = partDone > 0 ? (elapsed / partDone) * (partTotal - partDone) : undefined;
      const parts = [
        `${label}: ${done}/${total} ${unit}`,
        ...(bytes ? [`${formatBytes(bytes.done)} of ${formatBytes(bytes.total)}`] : []),
        formatDuration(elapsed),
        left === undefined ? '' : `~${formatDuration(left)} left`,
      ];
      // Cleared to the end of the line: a shorter line must not leave the end of a longer one.
      stream.write(`\r${parts.filter(Boolean).join(' · ')}\x1b[K`);
    },
    finish(): void {
      if (live && shown) stream.write('\n');
    },
  };
}

/** A printer for the tasks of src/ops (backup, restore, check), which count files and their bytes. */
export function fileProgress(label: string): { onProgress: (p: OpsProgress) => void; finish: () => void } {
  const printer = progressPrinter(label);
  return {
    onProgress: (p) => printer.update(p.done, p.total, 'files', { done: p.bytesDone, total: p.bytesTotal }),
    finish: () => printer.finish(),
  };
}
