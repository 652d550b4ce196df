import fs from 'node:fs';
import path from 'node:path';

/**
 * Where a `.cpuprofile` (written by `node --cpu-prof`) spends its time: the functions with the
 * most self time, self time by package or source file, and the inclusive time of the pieces a
 * request goes through (middleware, Kysely, SQLite's native calls and its commit, JSON, hashing,
 * GC). Only the main thread is profiled: argon2, file writes and fsyncs of the blob store run on
 * libuv's pool and show here only as the JavaScript that waits for them.
 *
 * Each sample is charged the time since the sample before it, so time the thread spent blocked in
 * a system call (SQLite's fsync of the WAL inside `run`) is charged to the call that blocked.
 *
 *   tsx bench/cpuprofile.ts <file.cpuprofile> [--from <µs>] [--to <µs>] [--top 25]
 *
 * `--from`/`--to` cut a window on the profile's clock (CLOCK_MONOTONIC µs, as `bench/probe.mjs`
 * reports it in `monotonicUs`).
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Line {
  name: string;
  /** Samples: each is one tick of the sampler while the main thread ran, so their share is the share of its CPU time. */
  samples: number;
  /** Wall time charged (each sample gets the time since the one before): adds the time the thread was blocked or waiting for a CPU there. */
  wallMs: number;
}

export interface ProfileSummary {
  windowMs: number;
  busyMs: number;
  idleMs: number;
  samples: number;
  busySamples: number;
  /** The sampler's usual interval (median time between samples), ms. */
  intervalMs: number;
  top: Line[];
  byOwner: Line[];
  focus: Line[];
}

/** `node_modules/<package>`, `src/<path>`, `node:<module>`… */
function moduleOf(url: string): string {
  if (!url) return '';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  const src = url.indexOf('/dist/src/');
  if (src >= 0) return `src/${url.slice(src + '/dist/src/'.length).replace(/\.js$/, '')}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  return path.basename(url);
}

function frameName(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  return `${name} ${moduleOf(frame.url)}:${frame.lineNumber + 1}`;
}

type Stack = CallFrame[];

const isCore = (f: CallFrame) => f.url.startsWith('node:');
const NETWORK = /^node:(_http_|net$|net\b|internal\/stream_base_commons|internal\/streams|stream)/;

/**
 * Who a sample's work is for: the package or source file of the innermost JavaScript frame that
 * is not Node's own, so that a Buffer conversion, an event emit or an fs call counts for the code
 * that asked for it; socket writes and the HTTP machinery itself count as "node: http, sockets".
 */
function ownerOf(stack: Stack): string {
  const leaf = stack[0];
  if (!leaf) return '(none)';
  if (leaf.functionName.startsWith('(')) return leaf.functionName;
  const js = stack.find((f) => f.url);
  if (!js) return leaf.functionName || '(native)';
  if (!isCore(js)) return moduleOf(js.url);
  if (NETWORK.test(js.url)) return 'node: http server, sockets, streams';
  const user = stack.find((f) => f.url && !isCore(f));
  return user ? moduleOf(user.url) : moduleOf(js.url);
}

const inSqliteDriver = (f: CallFrame | undefined) => !!f && f.functionName === 'executeQuery' && f.url.includes('/kysely/dist/cjs/dialect/sqlite/sqlite-driver');

/** Slices of particular interest, each a test on a sample's stack (leaf first); they may overlap. */
const FOCUS: { name: string; test: (stack: Stack) => boolean }[] = [
  // better-sqlite3's calls are native API callbacks, which V8 charges to their JavaScript caller:
  // the self time of Kysely's SqliteConnection.executeQuery is SQLite running the statement.
  { name: 'SQLite: COMMIT (with synchronous=FULL, the WAL fsync)', test: (s) => inSqliteDriver(s[0]) && s.some((f) => f.functionName === 'commitTransaction') },
  { name: 'SQLite: every other statement (run, all)', test: (s) => inSqliteDriver(s[0]) && !s.some((f) => f.functionName === 'commitTransaction') },
  { name: 'SQLite: preparing statements (cache misses)', test: (s) => s[0]?.functionName === 'prepare' && s[0].url.includes('/dist/src/db/database.js') },
  { name: 'Kysely in JavaScript (building, compiling, plugins)', test: (s) => !!s[0]?.url.includes('/node_modules/kysely/') && !inSqliteDriver(s[0]) },
  { name: 'JSON.stringify (res.json, pino)', test: (s) => s[0]?.functionName === 'stringify' || (s[0]?.functionName === 'asJson' && s[0].url.includes('/pino/')) },
  { name: 'SHA-256 (node:crypto Hash)', test: (s) => s.some((f) => f.url.startsWith('node:internal/crypto/hash')) },
  { name: 'file system calls from the main thread (their synchronous part)', test: (s) => !!s[0] && !s[0].url && !!s.find((f) => f.url)?.url.startsWith('node:internal/fs') },
  { name: 'socket writes (writev, writeBuffer on a socket)', test: (s) => !!s[0] && !s[0].url && !!s.find((f) => f.url)?.url.startsWith('node:internal/stream_base_commons') },
  { name: 'request log writes (pino → fs.writeSync)', test: (s) => s.some((f) => f.url.includes('/node_modules/sonic-boom/') || (f.functionName === 'writeSync' && f.url === 'node:fs')) },
  { name: 'garbage collector', test: (s) => s[0]?.functionName === '(garbage collector)' },
];

export function summarise(profile: CpuProfile, options: { fromUs?: number; toUs?: number; top?: number } = {}): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<number, Stack>();
  const stackOf = (id: number): Stack => {
    let stack = stacks.get(id);
    if (!stack) {
      stack = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const node = byId.get(at);
        if (node && node.callFrame.functionName !== '(root)') stack.push(node.callFrame);
      }
      stacks.set(id, stack);
    }
    return stack;
  };

  const self = new Map<string, Line>();
  const owners = new Map<string, Line>();
  const focus = new Map<string, Line>();
  const add = (map: Map<string, Line>, name: string, ms: number) => {
    const line = map.get(name) ?? { name, samples: 0, wallMs: 0 };
    line.samples += 1;
    line.wallMs += ms;
    map.set(name, line);
  };
  let idle = 0;
  let busy = 0;
  let count = 0;
  let busySamples = 0;
  const deltas: number[] = [];
  let time = profile.startTime;
  const from = options.fromUs ?? -Infinity;
  const to = options.toUs ?? Infinity;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    time += delta;
    if (time < from || time > to) continue;
    const stack = stackOf(profile.samples[i] ?? 0);
    const leaf = stack[0];
    if (!leaf) continue;
    const ms = delta / 1000;
    count += 1;
    deltas.push(ms);
    if (leaf.functionName === '(idle)') {
      idle += ms;
      continue;
    }
    busy += ms;
    busySamples += 1;
    // A native leaf (url '') is named with the JavaScript that called it.
    const caller = leaf.url ? undefined : stack.find((f) => f.url);
    add(self, leaf.url || !caller ? frameName(leaf) : `${leaf.functionName || '(native)'} (native, from ${frameName(caller)})`, ms);
    add(owners, ownerOf(stack), ms);
    for (const slice of FOCUS) if (slice.test(stack)) add(focus, slice.name, ms);
  }
  const sorted = (map: Map<string, Line>, limit: number) => [...map.values()].sort((a, b) => b.samples - a.samples).slice(0, limit);
  deltas.sort((a, b) => a - b);
  return {
    windowMs: busy + idle,
    busyMs: busy,
    idleMs: idle,
    samples: count,
    busySamples,
    intervalMs: deltas[Math.floor(deltas.length / 2)] ?? NaN,
    top: sorted(self, options.top ?? 25),
    byOwner: sorted(owners, 20),
    focus: FOCUS.map((f) => focus.get(f.name) ?? { name: f.name, samples: 0, wallMs: 0 }),
  };
}

export function formatSummary(title: string, s: ProfileSummary): string {
  const pct = (n: number) => `${(n * 100).toFixed(1).padStart(5)} %`;
  const ms = (n: number) => `${Math.round(n).toString().padStart(6)} ms`;
  const block = (heading: string, lines: Line[]) => [
    heading,
    ...lines.map((l) => `  ${pct(l.samples / s.busySamples)} ${ms(l.wallMs)}  ${l.name}`),
  ];
  return [
    `== ${title}`,
    `main thread: ${Math.round(s.windowMs)} ms in the window, ${Math.round(s.busyMs)} ms not idle (${pct(s.busyMs / s.windowMs).trim()}); ${s.busySamples} busy samples, one every ${s.intervalMs.toFixed(2)} ms when running`,
    'columns: share of the busy samples (≈ share of the main thread\'s CPU) | wall time charged (adds time blocked or waiting for a CPU there)',
    ...block('top self time (native calls named with their JavaScript caller):', s.top),
    ...block('by owner (innermost frame outside Node\'s own modules; Node\'s HTTP and socket code on its own):', s.byOwner),
    ...block('slices:', s.focus),
  ].join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--') && !/^-?\d+$/.test(a));
  if (!file) {
    process.stderr.write('usage: tsx bench/cpuprofile.ts <file.cpuprofile> [--from <µs>] [--to <µs>] [--top 25]\n');
    process.exit(2);
  }
  const option = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatSummary(path.basename(file), summarise(profile, { fromUs: option('--from'), toUs: option('--to'), top: option('--top') }))}\n`);
}

if (require.main === module) main();
