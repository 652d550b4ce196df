import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../src/paths';
import { type CpuProfile, formatSummary, summarise } from './cpuprofile';
import { measureRate } from './load';
import { describeLoop, loopWindow, type LoopReading, readLoop, spawnServer } from './processes';
import { buildScenario } from './scenario';
import { uploadingUnits, uploadsBackToBack } from './under-load';

/**
 * `npm run build && tsx bench/profile.ts [--units 1000] [--seconds 10] [--out <dir>]`: builds the
 * benchmark's province, starts the built server under `node --cpu-prof` (with bench/probe.mjs),
 * and drives it through the loads of figures 3/12 (GET /healthz, the unit dossier JSON, the
 * progress JSON; 10 connections each) and figure 10 (40 units uploading 256 KB files back to
 * back), one after another. The probe marks each load's window on the profile's clock; each
 * window is summarised (bench/cpuprofile.ts) with the event loop's utilisation and the
 * threads' CPU. The profile and the summaries stay in `--out` (default: a temporary directory).
 *
 * `--strace` adds one more upload window with strace attached to every thread of the server,
 * tracing only fsync and fdatasync: how many each upload costs, on which thread (the event
 * loop's or libuv's pool), and how long each takes. strace slows every system call, so that
 * window's rate is not a figure; its fsync counts and durations are.
 */

const PASSWORD = 'Bench-mat-khau-2023';
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const units = Number(option('--units', '1000'));
const seconds = Number(option('--seconds', '10'));
const withStrace = args.includes('--strace');
const out = args.includes('--out') ? path.resolve(option('--out', '.')) : fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-profile-'));
const say = (line: string) => process.stderr.write(`[profile] ${line}\n`);
const failures: string[] = [];
const expect = (ok: boolean, problem: string) => {
  if (!ok) {
    failures.push(problem);
    say(`FAILED: ${problem}`);
  }
};

/** Runs `load` with strace following every thread of `pid` for fsync and fdatasync; a summary of what it saw. */
async function straceUploads(pid: number, load: () => Promise<{ status: number }[]>): Promise<string> {
  const file = path.join(out, 'strace.txt');
  const strace = spawn('strace', ['-f', '-qq', '-T', '-e', 'trace=fsync,fdatasync', '-e', 'signal=none', '-p', String(pid), '-o', file], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => strace.once('exit', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 500)); // attached to every thread by then
  const samples = await load();
  strace.kill('SIGINT');
  await exited;
  const uploads = samples.filter((s) => s.status === 201).length;
  const calls = new Map<string, number[]>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    // A call another thread interrupted is split: "fsync(18 <unfinished ...>" then "<... fsync resumed>) = 0 <0.0009>".
    const match = /^(\d+)\s+(?:(fsync|fdatasync)\(\d+\)|<\.\.\. (fsync|fdatasync) resumed>\))\s+=\s+0\s+<([\d.]+)>/.exec(line);
    if (!match) continue;
    const key = `${Number(match[1]) === pid ? 'main thread (event loop)' : 'other threads (libuv pool)'}: ${match[2] ?? match[3] ?? ''}`;
    calls.set(key, [...(calls.get(key) ?? []), Number(match[4]) * 1000]);
  }
  const lines = [...calls].map(([key, ms]) => {
    const sorted = [...ms].sort((a, b) => a - b);
    const total = ms.reduce((a, b) => a + b, 0);
    return `  ${key}: ${ms.length} calls, ${(ms.length / Math.max(1, uploads)).toFixed(2)} per upload, mean ${(total / ms.length).toFixed(2)} ms, p50 ${(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(2)} ms, max ${(sorted.at(-1) ?? 0).toFixed(2)} ms, ${(total / Math.max(1, uploads)).toFixed(2)} ms per upload`;
  });
  return [`== fsyncs during ${uploads} uploads (strace on every thread; the rate under strace is not a figure)`, ...lines, ''].join('\n');
}

async function main(): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-profile-data-'));
  const dataDir = path.join(work, 'data');
  try {
    const scenario = await buildScenario({ dataDir, units, filesPerUnit: 10, password: PASSWORD, progress: say });
    const logFile = path.join(work, 'server.log');
    const server = await spawnServer({
      command: process.execPath,
      args: [
        '--cpu-prof', '--cpu-prof-dir', out, '--cpu-prof-name', 'server.cpuprofile',
        '--import', pathToFileURL(path.join(projectRoot, 'bench/probe.mjs')).href, path.join(projectRoot, 'dist/src/server.js'),
      ],
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', HOSO_DATA_DIR: dataDir, HOSO_ADMIN_PASSWORD: PASSWORD,
        HOSO_MAX_UPLOAD_MB: '256', HOSO_LOG_LEVEL: 'info',
      },
      portInLog: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
      readyPath: '/healthz',
      logFile,
      probeFile: path.join(work, 'probe.json'),
    });
    const windows: { name: string; from: LoopReading; to: LoopReading }[] = [];
    const fsyncs: string[] = [];
    try {
      const signIn = await fetch(`${server.url}/api/v1/session`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: scenario.leadUsername, password: PASSWORD }),
      });
      const lead = ((await signIn.json()) as { token: string }).token;
      const auth = { authorization: `Bearer ${lead}` };
      const rate = async (name: string, paths: string[], headers: Record<string, string>) => {
        const from = await readLoop(server);
        const result = await measureRate({ url: server.url, paths, headers, connections: 10, duration: seconds });
        windows.push({ name, from, to: await readLoop(server) });
        expect(result.failures === 0, `${name}: ${result.failures} of ${result.requests} failed`);
        say(`${name}: ${Math.round(result.rps)} req/s, p99 ${result.p99} ms`);
      };
      await rate('GET /healthz (figure 3c/12b)', ['/healthz'], {});
      await rate('GET unit dossier JSON (figure 3a/12a)', scenario.unitCodes.slice(0, 100).map((u) => `/api/v1/inspections/${scenario.inspectionCode}/units/${u}`), auth);
      await rate('GET progress JSON (figure 4/12c)', [`/api/v1/inspections/${scenario.inspectionCode}/progress`], auth);
      const env = { server, scenario, work, logFile, password: PASSWORD, leadToken: lead, say, expect };
      const tokens = await uploadingUnits(env);
      const from = await readLoop(server);
      const samples = await uploadsBackToBack(env, tokens, seconds);
      windows.push({ name: '40 units uploading 256 KB back to back (figure 10)', from, to: await readLoop(server) });
      const failed = samples.filter((s) => s.status !== 201).length;
      expect(failed === 0, `uploads: ${failed} of ${samples.length} failed`);
      say(`uploads: ${samples.length} in ${seconds} s`);
      if (withStrace) fsyncs.push(await straceUploads(server.pid, () => uploadsBackToBack(env, tokens, seconds)));
    } finally {
      await server.stop();
    }
    const file = path.join(out, 'server.cpuprofile');
    const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
    const texts = windows.map(({ name, from, to }) => {
      const summary = summarise(profile, { fromUs: from.probe?.monotonicUs, toUs: to.probe?.monotonicUs, top: 25 });
      return `${formatSummary(name, summary)}\n${describeLoop(loopWindow(from, to))}\n`;
    });
    const text = [...texts, ...fsyncs].join('\n');
    fs.writeFileSync(path.join(out, 'summary.txt'), text);
    process.stdout.write(`${text}\nprofile: ${file}\nsummary: ${path.join(out, 'summary.txt')}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (failures.length) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`profile failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
