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

export interface Child {
  readonly pid: number;
  readonly url: string;
  /** Milliseconds from spawn to the first 200 on the readiness path. */
  readonly readyMs: number;
  memory(): Memory;
  /** Resets VmHWM (writes 5 to /proc/<pid>/clear_refs); false where the kernel does not allow it. */
  resetPeak(): boolean;
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

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Spawns a server and waits, polling every 5 ms, for its port in the log and then its readiness path to answer 200. */
export async function spawnServer(options: SpawnOptions): Promise<Child> {
  const logStart = fs.existsSync(options.logFile) ? fs.statSync(options.logFile).size : 0;
  const log = fs.openSync(options.logFile, 'a');
  const started = performance.now();
  const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, stdio: ['ignore', log, log] });
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
    stop: async () => {
      const done = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}
