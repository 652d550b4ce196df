import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';

/** Child processes of the benchmark (the server under test, the hello baseline) and what they use. */

export interface Memory {
  /** Resident set now, in MiB (VmRSS). */
  rssMb: number;
  /** Peak resident set since start or the last `resetPeak()`, in MiB (VmHWM). */
  peakMb: number;
}

/** CPU time of a process's threads from /proc/<pid>/task/<tid>/schedstat, in ms since the thread started. */
export interface ThreadTimes {
  /** The main thread (the event loop): on a CPU. */
  mainRunMs: number;
  /** The main thread: runnable but waiting for a CPU (the machine was busy). */
  mainWaitMs: number;
  /** Every other thread (libuv's pool: file writes, fsyncs, argon2; V8's GC and compiler helpers): on a CPU. */
  otherRunMs: number;
  threads: number;
}

/** What `bench/probe.mjs` reports from inside the server (see there). */
export interface ProbeSample {
  seq: number;
  /** When the sample was taken, on the clock of a `--cpu-prof` profile's timestamps (µs). */
  monotonicUs: number;
  /** Cumulative event-loop time, ms: `active` (running callbacks, or blocked in a synchronous call) and `idle` (waiting for I/O). */
  active: number;
  idle: number;
  /** Event-loop delay since the previous sample, ms. */
  delay: { p50: number; p99: number; max: number; mean: number };
}

/** Event-loop utilisation and thread CPU between two readings, over `wallMs`. */
export interface LoopWindow {
  wallMs: number;
  /** Share of the window the event loop was not idle (ELU). */
  utilisation: number;
  /** Share of the window the main thread was on a CPU; ELU minus this (minus the run-queue wait) is time blocked in synchronous system calls (SQLite's fsync of the WAL). */
  mainCpu: number;
  mainRunQueue: number;
  /** CPU of the other threads, in cores (1 = one core all the time). */
  otherCpu: number;
  delay: ProbeSample['delay'];
}

export interface Child {
  readonly pid: number;
  readonly url: string;
  /** Milliseconds from spawn to the first 200 on the readiness path. */
  readonly readyMs: number;
  memory(): Memory;
  /** Resets VmHWM (writes 5 to /proc/<pid>/clear_refs); false where the kernel does not allow it. */
  resetPeak(): boolean;
  threads(): ThreadTimes;
  /** Asks the probe for a sample (SIGUSR2); null when the process was not started with one. */
  probe(): Promise<ProbeSample | null>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  command: string;
  args: string[];
  cwd: string;
  /** Should make the process listen on port 0 (any free port) and log the one it got. */
  env: NodeJS.ProcessEnv;
  /**
   * Finds the port in the log: asking the kernel for a free port and passing it on would race
   * with the other servers on this machine, and the readiness check might then reach one of them.
   */
  portInLog: RegExp;
  /** Answered with 200 once the process serves. */
  readyPath: string;
  /** stdout and stderr go here (a file, so a busy log never blocks the process on a full pipe). */
  logFile: string;
  timeoutMs?: number;
  /** Where `bench/probe.mjs` (preloaded with `--import`, HOSO_BENCH_PROBE set to this path) writes its samples. */
  probeFile?: string;
}

function statusOf(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
  });
}

/** VmRSS and VmHWM of a process from /proc/<pid>/status. */
export function memoryOf(pid: number): Memory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** Per-thread CPU of `pid` (schedstat: nanoseconds on a CPU, nanoseconds waiting for one). */
export function threadTimesOf(pid: number): ThreadTimes {
  const times: ThreadTimes = { mainRunMs: 0, mainWaitMs: 0, otherRunMs: 0, threads: 0 };
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const [run = 0, wait = 0] = stat.trim().split(/\s+/).map(Number);
    times.threads += 1;
    if (Number(tid) === pid) {
      times.mainRunMs = run / 1e6;
      times.mainWaitMs = wait / 1e6;
    } else {
      times.otherRunMs += run / 1e6;
    }
  }
  return times;
}

/** A reading of a child's event loop and threads, for `loopWindow`. */
export interface LoopReading {
  at: number;
  threads: ThreadTimes;
  probe: ProbeSample | null;
}

export async function readLoop(child: Child): Promise<LoopReading> {
  const probe = await child.probe();
  return { at: performance.now(), threads: child.threads(), probe };
}

export function loopWindow(from: LoopReading, to: LoopReading): LoopWindow {
  const wallMs = to.at - from.at;
  const active = from.probe && to.probe ? to.probe.active - from.probe.active : NaN;
  const idle = from.probe && to.probe ? to.probe.idle - from.probe.idle : NaN;
  return {
    wallMs,
    utilisation: active / (active + idle),
    mainCpu: (to.threads.mainRunMs - from.threads.mainRunMs) / wallMs,
    mainRunQueue: (to.threads.mainWaitMs - from.threads.mainWaitMs) / wallMs,
    otherCpu: (to.threads.otherRunMs - from.threads.otherRunMs) / wallMs,
    delay: to.probe?.delay ?? { p50: NaN, p99: NaN, max: NaN, mean: NaN },
  };
}

/** One line for a note: "event loop busy 97 % (on CPU 61 %, waiting for a CPU 9 %), other threads 0.42 cores, loop delay p99 45 ms". */
export function describeLoop(w: LoopWindow): string {
  if (!Number.isFinite(w.utilisation)) return 'no event-loop probe in this server (node:cluster)';
  const pct = (n: number) => `${Math.round(n * 100)} %`;
  return `server event loop busy ${pct(w.utilisation)} of the time (main thread on a CPU ${pct(w.mainCpu)}, waiting for a CPU ${pct(w.mainRunQueue)}), other threads ${Math.round(w.otherCpu * 100) / 100} cores, loop delay p99 ${Math.round(w.delay.p99)} ms (max ${Math.round(w.delay.max)} ms)`;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

function readProbe(file: string): ProbeSample | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ProbeSample;
  } catch {
    return null; // not written yet
  }
}

/** Spawns a server and waits, polling every 5 ms, for its port in the log and then its readiness path to answer 200. */
export async function spawnServer(options: SpawnOptions): Promise<Child> {
  const logStart = fs.existsSync(options.logFile) ? fs.statSync(options.logFile).size : 0;
  const log = fs.openSync(options.logFile, 'a');
  const started = performance.now();
  const env = options.probeFile ? { ...options.env, HOSO_BENCH_PROBE: options.probeFile } : options.env;
  const child = spawn(options.command, options.args, { cwd: options.cwd, env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const deadline = started + (options.timeoutMs ?? 30_000);
  let url: string | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.command} ${options.args.join(' ')} exited with ${child.exitCode}; see ${options.logFile}`);
    if (!url) {
      const port = options.portInLog.exec(fs.readFileSync(options.logFile, 'utf8').slice(logStart))?.[1];
      if (port) url = `http://127.0.0.1:${port}`;
    }
    if (url && (await statusOf(url + options.readyPath)) === 200) break;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.args.join(' ')} did not answer ${options.readyPath} in time; see ${options.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const readyMs = performance.now() - started;
  const pid = child.pid;
  const address = url;
  if (pid === undefined) throw new Error('spawned without a pid');
  return {
    pid,
    url: address,
    readyMs,
    memory: () => memoryOf(pid),
    resetPeak: () => {
      try {
        fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
        return true;
      } catch {
        return false;
      }
    },
    threads: () => threadTimesOf(pid),
    probe: async () => {
      const file = options.probeFile;
      if (!file || child.exitCode !== null) return null;
      const previous = readProbe(file)?.seq ?? 0;
      child.kill('SIGUSR2');
      // The probe answers from the event loop, so a busy server answers late; give it 10 s.
      const deadline = performance.now() + 10_000;
      for (;;) {
        const sample = readProbe(file);
        if (sample && sample.seq > previous) return sample;
        if (performance.now() > deadline) throw new Error(`the probe in ${options.args.join(' ')} did not answer; see ${options.logFile}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
    stop: async () => {
      const done = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}
