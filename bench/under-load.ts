import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { closedLoop, failuresOf, oneAtATime, openLoop, percentile, rateIn, type Sample } from './arrivals';
import { hashWriteFsyncFiles } from './baselines';
import { pdfBytes } from './content';
import { get, postJson, uploadFile } from './load';
import { type Child, describeLoop, loopWindow, readLoop } from './processes';
import type { Figure } from './report';
import type { Scenario } from './scenario';

/**
 * Figures 10 and 11: many units uploading at once (what the server sustains, against one process
 * doing the least an upload needs), and the latency of uploads, sign-ins and reads while uploads
 * arrive at half that rate. Every request must succeed; a failure fails the run.
 */

const KIB = 1024;
/** The size of every file of figures 10 and 11: a scanned page or two. */
export const UPLOAD_BYTES = 256 * KIB;
/** Units (each its own secretary) uploading at once in figure 10. */
export const UPLOADING_UNITS = 40;
/** Figure 11's fixed arrivals besides the uploads. */
const SIGN_IN_EVERY_MS = 250;
const READS_PER_SECOND = 100;

export interface LoadSettings {
  /** Figure 10: seconds of load, of which the first `warmupSeconds` are not counted. */
  capacitySeconds: number;
  warmupSeconds: number;
  /** Figure 10's baseline: seconds of timed hashing, writing and fsyncing, before and after the load each. */
  baselineSeconds: number;
  /** Figure 11: seconds of mixed load. */
  mixedSeconds: number;
  /** Figure 11's baselines: uploads and sign-ins one at a time, and seconds of reads at the same rate alone. */
  aloneUploads: number;
  aloneSignIns: number;
  aloneReadSeconds: number;
}

export interface LoadEnv {
  server: Child;
  scenario: Scenario;
  /** Scratch directory on the same filesystem as the data directory. */
  work: string;
  /** The server's log, searched for SQLITE_BUSY. */
  logFile: string;
  password: string;
  leadToken: string;
  say: (line: string) => void;
  expect: (ok: boolean, problem: string) => void;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The units of figures 10 and 11, apart from those the earlier figures use (the first 52) where the province allows. */
function unitsFor(scenario: Scenario) {
  const codes = scenario.unitCodes;
  const uploading = codes.slice(-UPLOADING_UNITS);
  const rest = codes.slice(0, codes.length - UPLOADING_UNITS);
  // Reads go to dossiers nobody uploads to here; sign-ins use yet other secretaries.
  const signingIn = rest.slice(-20);
  const read = rest.slice(0, Math.max(1, Math.min(100, rest.length - signingIn.length)));
  return { uploading, signingIn, read };
}

async function signIn(env: LoadEnv, username: string): Promise<{ status: number; token?: string }> {
  const answer = await postJson(`${env.server.url}/api/v1/session`, { username, password: env.password });
  if (answer.status !== 200) return { status: answer.status };
  return { status: 200, token: (JSON.parse(answer.body.toString()) as { token: string }).token };
}

/** Signs every user in, four at a time (argon2 runs on libuv's pool of four). */
export async function signInAll(env: LoadEnv, usernames: string[]): Promise<string[]> {
  const tokens: string[] = new Array<string>(usernames.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < usernames.length) {
        const i = next++;
        const username = usernames[i] ?? '';
        const { status, token } = await signIn(env, username);
        if (!token) throw new Error(`sign-in of ${username} answered ${status}`);
        tokens[i] = token;
      }
    }),
  );
  return tokens;
}

function uploadUrl(env: LoadEnv, unit: string): string {
  const { scenario } = env;
  return `${env.server.url}/api/v1/inspections/${scenario.inspectionCode}/units/${unit}/items/${scenario.openItemCode}/files`;
}

/** One fresh 256 KB PDF (random bytes: the store keeps one copy per content, so a repeat would skip the write). */
async function uploadOne(env: LoadEnv, unit: string, token: string, n: number): Promise<number> {
  const bytes = pdfBytes(UPLOAD_BYTES);
  const answer = await uploadFile(uploadUrl(env, unit), token, { name: `Biên bản họp chi bộ ${unit} số ${n}.pdf`, size: bytes.length, open: () => Readable.from([bytes]) });
  return answer.status;
}

function busyInLog(logFile: string): number {
  return fs.readFileSync(logFile, 'utf8').split('\n').filter((line) => line.includes('SQLITE_BUSY')).length;
}

function checkAll(env: LoadEnv, what: string, samples: Sample[], ok: number[]): void {
  const bad = failuresOf(samples, ok);
  env.expect(samples.length > 0 && bad.count === 0, `${what}: ${bad.count} of ${samples.length} requests failed (${bad.text || 'none sent'})`);
}

const ms = (n: number) => Math.round(n);

export interface Tokens {
  uploading: { unit: string; token: string }[];
}

/** The forty uploading units and their secretaries' sessions. */
export async function uploadingUnits(env: LoadEnv): Promise<Tokens> {
  const { uploading } = unitsFor(env.scenario);
  const tokens = await signInAll(env, uploading.map((u) => env.scenario.secretaryOf(u)));
  return { uploading: uploading.map((unit, i) => ({ unit, token: tokens[i] ?? '' })) };
}

/** Every unit of `tokens` uploading fresh 256 KB files back to back for `seconds`. */
export function uploadsBackToBack(env: LoadEnv, tokens: Tokens, seconds: number): Promise<Sample[]> {
  const pairs = tokens.uploading;
  return closedLoop(pairs.length, seconds, (client, n) => {
    const pair = pairs[client];
    return pair ? uploadOne(env, pair.unit, pair.token, n) : Promise.resolve(0);
  });
}

/** 10: forty secretaries, each uploading to their own unit, back to back; against hashing, writing and fsyncing the same files alone. */
export async function uploadCapacity(env: LoadEnv, settings: LoadSettings): Promise<{ figures: Figure[]; uploadsPerSecond: number; tokens: Tokens }> {
  const tokens = await uploadingUnits(env);
  const pairs = tokens.uploading;
  const scratch = path.join(env.work, 'baseline-files');
  const make = () => pdfBytes(UPLOAD_BYTES);
  const before = await hashWriteFsyncFiles(scratch, make, settings.baselineSeconds);
  const busyBefore = busyInLog(env.logFile);
  const loopFrom = await readLoop(env.server);
  const samples = await uploadsBackToBack(env, tokens, settings.capacitySeconds);
  const loopTo = await readLoop(env.server);
  const after = await hashWriteFsyncFiles(scratch, make, settings.baselineSeconds);
  fs.rmSync(scratch, { recursive: true, force: true });
  checkAll(env, 'concurrent 256 KB uploads', samples, [201]);
  const busy = busyInLog(env.logFile) - busyBefore;
  env.expect(busy === 0, `concurrent 256 KB uploads: SQLITE_BUSY in the server log ${busy} times`);
  const rate = rateIn(samples, settings.warmupSeconds * 1000, settings.capacitySeconds * 1000);
  const baseline = (before.filesPerSecond + after.filesPerSecond) / 2;
  const loop = loopWindow(loopFrom, loopTo);
  const latencies = samples.map((s) => s.ms);
  env.say(
    `${pairs.length} units uploading 256 KB: ${round(rate)} uploads/s (${samples.length} in all); hash+write+fsync ${round(before.filesPerSecond)} / ${round(after.filesPerSecond)} files/s; ${describeLoop(loop)}`,
  );
  return {
    uploadsPerSecond: rate,
    tokens,
    figures: [
      {
        id: '10', name: `${pairs.length} units uploading 256 KB files at once: rate`, value: round(rate), unit: 'uploads/s',
        target: { on: 'ratio', op: '>=', limit: 0.5 },
        baseline: { name: 'one process: SHA-256 + write + fsync, file after file', value: round(baseline), unit: 'files/s' },
        ratio: round(rate / baseline, 2),
        note:
          `${pairs.length} secretaries each uploading to their own unit, back to back, ${settings.capacitySeconds} s, counted after the first ${settings.warmupSeconds} s; ` +
          `${samples.length} uploads, each p50 ${ms(percentile(latencies, 50))} ms, p95 ${ms(percentile(latencies, 95))} ms; baseline ${round(before.filesPerSecond)} files/s before, ${round(after.filesPerSecond)} after ` +
          `(${before.files + after.files} files); ${describeLoop(loop)}; SQLITE_BUSY in the log: ${busy}`,
      },
    ],
  };
}

/**
 * 11: uploads arriving at half of figure 10's rate, a sign-in every 250 ms and 100 dossier reads a
 * second, all on fixed schedules (open loop); each kind's latency against the same kind alone.
 */
export async function latencyUnderLoad(env: LoadEnv, settings: LoadSettings, capacity: number, tokens: Tokens): Promise<Figure[]> {
  const { signingIn, read } = unitsFor(env.scenario);
  const { scenario, server } = env;
  const users = signingIn.map((u) => scenario.secretaryOf(u));
  const readAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const auth = { authorization: `Bearer ${env.leadToken}` };
  const readPaths = read.map((unit) => `${server.url}/api/v1/inspections/${scenario.inspectionCode}/units/${unit}`);
  const upload = (n: number) => {
    const pair = tokens.uploading[n % tokens.uploading.length];
    return pair ? uploadOne(env, pair.unit, pair.token, 100_000 + n) : Promise.resolve(0);
  };
  const signInOnce = async (n: number) => (await signIn(env, users[n % users.length] ?? '')).status;
  const readOnce = async (n: number) => (await get(readPaths[n % readPaths.length] ?? '', auth, false, readAgent)).status;

  try {
    // Alone: one request at a time (uploads, sign-ins); reads on their own schedule with nothing else.
    // Two of each first, not counted: the first requests after a pause pay for cold caches.
    checkAll(env, 'warm-up', [...(await oneAtATime(2, (n) => upload(300_000 + n))), ...(await oneAtATime(2, signInOnce))], [200, 201]);
    const aloneUploads = await oneAtATime(settings.aloneUploads, (n) => upload(200_000 + n));
    const aloneSignIns = await oneAtATime(settings.aloneSignIns, signInOnce);
    const aloneReads = await openLoop(READS_PER_SECOND, settings.aloneReadSeconds, readOnce);
    checkAll(env, 'uploads alone', aloneUploads, [201]);
    checkAll(env, 'sign-ins alone', aloneSignIns, [200]);
    checkAll(env, 'reads alone', aloneReads.samples, [200]);

    const uploadRate = capacity / 2;
    const loopFrom = await readLoop(server);
    const [uploads, signIns, reads] = await Promise.all([
      openLoop(uploadRate, settings.mixedSeconds, upload),
      openLoop(1000 / SIGN_IN_EVERY_MS, settings.mixedSeconds, signInOnce),
      openLoop(READS_PER_SECOND, settings.mixedSeconds, readOnce),
    ]);
    const loop = loopWindow(loopFrom, await readLoop(server));
    checkAll(env, 'uploads under load', uploads.samples, [201]);
    checkAll(env, 'sign-ins under load', signIns.samples, [200]);
    checkAll(env, 'reads under load', reads.samples, [200]);

    const p = (samples: Sample[], q: number) => percentile(samples.map((s) => s.ms), q);
    const upAlone = p(aloneUploads, 95);
    const upLoaded = p(uploads.samples, 95);
    const inAlone = p(aloneSignIns, 95);
    const inLoaded = p(signIns.samples, 95);
    const readAlone = p(aloneReads.samples, 99);
    const readLoaded = p(reads.samples, 99);
    const lateMax = Math.max(uploads.lateMax, signIns.lateMax, reads.lateMax);
    env.say(
      `mixed load: uploads ${round(uploadRate)}/s p95 ${ms(upLoaded)} ms (alone ${ms(upAlone)}), sign-ins p95 ${ms(inLoaded)} ms (alone ${ms(inAlone)}), reads p99 ${ms(readLoaded)} ms (alone ${ms(readAlone)}); scheduler late at most ${ms(lateMax)} ms; ${describeLoop(loop)}`,
    );
    const schedule =
      `open loop for ${settings.mixedSeconds} s: ${round(uploadRate)} uploads/s of 256 KB (half of figure 10), a sign-in every ${SIGN_IN_EVERY_MS} ms, ${READS_PER_SECOND} dossier reads/s; ` +
      `latency from each request's due time; the client started requests at most ${ms(lateMax)} ms late`;
    return [
      {
        id: '11a', name: 'under load: an upload (256 KB), p95', value: ms(upLoaded), unit: 'ms', target: { on: 'ratio', op: '<=', limit: 5 },
        baseline: { name: 'an upload alone, p95', value: ms(upAlone), unit: 'ms' }, ratio: round(upLoaded / upAlone, 2),
        note: `${schedule}; ${uploads.samples.length} uploads, p50 ${ms(p(uploads.samples, 50))} ms; alone: ${aloneUploads.length} one after another, p50 ${ms(p(aloneUploads, 50))} ms; ${describeLoop(loop)}`,
      },
      {
        id: '11b', name: 'under load: a sign-in (argon2id), p95', value: ms(inLoaded), unit: 'ms', target: { on: 'ratio', op: '<=', limit: 4 },
        baseline: { name: 'a sign-in alone, p95', value: ms(inAlone), unit: 'ms' }, ratio: round(inLoaded / inAlone, 2),
        note: `${signIns.samples.length} sign-ins, p50 ${ms(p(signIns.samples, 50))} ms; alone: ${aloneSignIns.length} one after another, p50 ${ms(p(aloneSignIns, 50))} ms`,
      },
      {
        id: '11c', name: 'under load: a unit dossier JSON read, p99', value: ms(readLoaded), unit: 'ms', target: { on: 'ratio', op: '<=', limit: 3 },
        baseline: { name: 'the same reads alone, p99', value: round(readAlone), unit: 'ms' }, ratio: round(readLoaded / readAlone, 2),
        note: `${reads.samples.length} reads of ${read.length} dossiers by the lead, p50 ${round(p(reads.samples, 50))} ms; alone: ${READS_PER_SECOND}/s for ${settings.aloneReadSeconds} s, p50 ${round(p(aloneReads.samples, 50))} ms (every upload and sign-in is an audited write, which empties the kept dossiers)`,
      },
    ];
  } finally {
    readAgent.destroy();
  }
}
