// Preloaded into the server under test (`node --import ./bench/probe.mjs dist/src/server.js`) when
// HOSO_BENCH_PROBE names a file: on SIGUSR2 it writes there, as one JSON object, the event loop's
// cumulative active and idle time (perf_hooks eventLoopUtilization) and the event-loop delay
// since the previous signal. Nothing else in the server changes; the benchmark reads the file
// before and after a load to tell a busy event loop (JavaScript, or a synchronous call such as
// better-sqlite3's commit with its fsync) from one waiting for I/O.
import fs from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const file = process.env.HOSO_BENCH_PROBE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let seq = 0;
  const ms = (ns) => ns / 1e6;
  process.on('SIGUSR2', () => {
    const elu = performance.eventLoopUtilization();
    const sample = {
      seq: ++seq,
      // CLOCK_MONOTONIC in µs, the clock of a --cpu-prof profile's timestamps: marks a window in it.
      monotonicUs: Number(process.hrtime.bigint() / 1000n),
      active: elu.active,
      idle: elu.idle,
      delay: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), mean: ms(delay.mean) },
    };
    delay.reset();
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(sample));
    fs.renameSync(`${file}.tmp`, file);
  });
}
