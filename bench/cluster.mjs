// `node bench/cluster.mjs <server.js>` with HOSO_BENCH_WORKERS=N: the server under test run as N
// node:cluster workers sharing one listening socket (listen(0) in the workers gets one port for
// all). An experiment for the benchmark (`npm run bench -- --workers 2`), not a way to deploy:
// each worker opens its own database connection, as N app servers would. SIGTERM stops them all.
import cluster from 'node:cluster';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const server = process.argv[2];
if (!server) throw new Error('usage: node bench/cluster.mjs <server.js>');
if (cluster.isPrimary) {
  const count = Number(process.env.HOSO_BENCH_WORKERS ?? 2);
  for (let i = 0; i < count; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', (worker, code) => {
    if (!stopping) {
      process.stderr.write(`cluster: worker ${worker.process.pid} exited with ${code}\n`);
      process.exit(1);
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
  process.on('SIGTERM', () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  });
} else {
  await import(pathToFileURL(path.resolve(server)).href);
}
