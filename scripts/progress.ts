/**
 * Progress for command-line tasks: a live line on a terminal (done of total, rate, time left),
 * nothing at all when output is not a terminal (CI logs stay quiet).
 */
export function progressPrinter(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  const live = stream.isTTY === true && !process.env.CI;
  let last = 0;
  return {
    update(done: number, total: number, unit = 'items'): void {
      if (!live) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const elapsed = (now - started) / 1000;
      const left = done > 0 ? (elapsed / done) * (total - done) : 0;
      stream.write(`\r${label}: ${done}/${total} ${unit} · ${elapsed.toFixed(1)} s · ~${left.toFixed(0)} s left   `);
    },
    finish(): void {
      if (live) stream.write('\n');
    },
  };
}
