/**
 * The real server (src/server.ts) as a child process on a port of its own, for tests that need
 * what an in-process app cannot give: a process that can be killed mid-request and started again
 * on the same data directory, several servers side by side, or load from outside. Also a small
 * JSON client for its API.
 *
 *   const server = await startServer({ dataDir, env: { HOSO_ADMIN_PASSWORD: ADMIN_PASSWORD } });
 *   const token = await signIn(server.baseUrl, 'admin', ADMIN_PASSWORD);
 *   const { status, body } = await callApi(server.baseUrl, 'GET', '/api/v1/units', { token });
 *   await server.kill('SIGKILL'); // or server.stop() for a graceful SIGTERM
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

export interface StartServerOptions {
  /** The server's HOSO_DATA_DIR (database and file store, unless `env.DATABASE_URL` says otherwise). */
  dataDir: string;
  /** More environment for the server, e.g. HOSO_ADMIN_PASSWORD, DATABASE_URL, HOSO_MAX_UPLOAD_MB. */
  env?: Record<string, string>;
  /** The port to listen on; a free one when not given. */
  port?: number;
  /** How long to wait for `/healthz` to answer (default 60 s: a cold start on a busy CI machine). */
  readyTimeoutMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly port: number;
  readonly pid: number;
  /** Resolves once the process has exited, for whatever reason. */
  readonly exited: Promise<ExitStatus>;
  /** Everything the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Sends `signal` (default SIGKILL: a crash) and resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<ExitStatus>;
  /** A graceful stop (SIGTERM), escalated to SIGKILL after 15 s. Harmless on an exited process. */
  stop(): Promise<ExitStatus>;
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/**
 * A failed test must leave no server behind: under jest, servers still running when the test file
 * ends are killed; elsewhere (a load-test script), when the process exits.
 */
const running = new Set<ChildProcess>();
const killAll = () => {
  for (const child of running) child.kill('SIGKILL');
};
if (typeof afterAll === 'function') afterAll(killAll);
else process.on('exit', killAll);

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `src/server.ts` and resolves once `/healthz` answers. It runs as one Node process with
 * tsx loaded in it (`node --import tsx`), not under the tsx command, which would put a parent in
 * between: a SIGKILL must hit the server itself, as a crash would. Logs at `warn` unless
 * `env.HOSO_LOG_LEVEL` says otherwise. If the chosen port was taken meanwhile, tries another.
 */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await launch(options, port);
    } catch (err) {
      const raced = err instanceof PortTakenError && options.port === undefined && attempt < 3;
      if (!raced) throw err;
    }
  }
}

class PortTakenError extends Error {}

async function launch(options: StartServerOptions, port: number): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      ...process.env,
      HOSO_LOG_LEVEL: 'warn',
      ...options.env,
      HOSO_DATA_DIR: options.dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  let gone = false;
  void exited.then(() => (gone = true));

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (!gone) child.kill(signal);
    return exited;
  };
  const stop = async () => {
    if (gone) return exited;
    const escalate = setTimeout(() => child.kill('SIGKILL'), 15_000);
    try {
      return await kill('SIGTERM');
    } finally {
      clearTimeout(escalate);
    }
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (gone) {
      if (/EADDRINUSE/.test(output)) throw new PortTakenError(`port ${port} was taken`);
      throw new Error(`the server exited before it was ready:\n${output}`);
    }
    const ready = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await kill('SIGKILL');
      throw new Error(`the server did not answer on ${baseUrl}/healthz in time:\n${output}`);
    }
    await delay(100);
  }
  return { baseUrl, port, pid: child.pid as number, exited, output: () => output, kill, stop };
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** One JSON request to the server's API; `path` includes the `/api/v1` prefix. Never throws on a status. */
export async function callApi<T = unknown>(
  baseUrl: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(baseUrl + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  return readAnswer<T>(res);
}

/** The status and body of an answer: parsed when it is JSON, else the text. */
async function readAnswer<T>(res: Response): Promise<ApiAnswer<T>> {
  const text = await res.text();
  return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
}

/** Signs in and returns the bearer token; throws with the server's answer when refused. */
export async function signIn(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await callApi<{ token: string }>(baseUrl, 'POST', '/api/v1/session', { body: { username, password } });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** Uploads one file as the multipart field `file`, as a browser form would. */
export async function uploadFile<T = unknown>(baseUrl: string, token: string, path: string, name: string, bytes: Uint8Array): Promise<ApiAnswer<T>> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  return readAnswer<T>(await fetch(baseUrl + path, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form }));
}

/** Downloads `path` whole (a file, a report) with its status. */
export async function download(baseUrl: string, token: string, path: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(baseUrl + path, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}
