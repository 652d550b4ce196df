import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import autocannon from 'autocannon';

/** The load drivers: autocannon for request rates and latencies, plain node:http for uploads and single downloads. */

export interface RateResult {
  requests: number;
  /** Completed requests per second over the whole run. */
  rps: number;
  p50: number;
  p99: number;
  /** Responses that were not 2xx, plus connection errors and timeouts. */
  failures: number;
  /** Mean bytes of a response, headers included. */
  bytesPerResponse: number;
}

export interface RateOptions {
  url: string;
  /** Paths taken in turn by successive requests. */
  paths: string[];
  headers?: Record<string, string>;
  connections: number;
  /** Seconds of load; or a number of requests with `amount`. */
  duration?: number;
  amount?: number;
}

/** Drives GETs at `url` with autocannon; each request takes the next of `paths`. */
export async function measureRate(options: RateOptions): Promise<RateResult> {
  let next = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 10 }),
    timeout: 60,
    headers: options.headers ?? {},
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: options.paths[next++ % options.paths.length] }) }],
  });
  const requests = result.requests.total;
  return {
    requests,
    rps: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    bytesPerResponse: requests > 0 ? result.throughput.total / requests : 0,
  };
}

export interface Answer {
  status: number;
  /** From sending the request to the last byte of the answer. */
  ms: number;
  headers: http.IncomingHttpHeaders;
  /** Bytes of the body as they crossed the wire (compressed, if it was). */
  wireBytes: number;
  body: Buffer;
}

function collect(res: http.IncomingMessage, started: number, keepBody: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let wireBytes = 0;
    res.on('data', (chunk: Buffer) => {
      wireBytes += chunk.length;
      if (keepBody) chunks.push(chunk);
    });
    res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, headers: res.headers, wireBytes, body: Buffer.concat(chunks) }));
    res.on('error', reject);
  });
}

/**
 * One GET, read to the end; the body is kept only when `keepBody` (a large PDF need not be). A new
 * connection each time, unless an `agent` (keep-alive) is given.
 */
export function get(url: string, headers: Record<string, string>, keepBody = false, agent: http.Agent | false = false): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http.get(url, { headers, agent }, (res) => collect(res, started, keepBody).then(resolve, reject)).on('error', reject);
  });
}

/** One JSON request (POST, PUT…), on a new connection unless an `agent` is given. */
export function sendJson(method: string, url: string, body: unknown, headers: Record<string, string> = {}, agent: http.Agent | false = false): Promise<Answer> {
  const payload = Buffer.from(JSON.stringify(body));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers } }, (res) =>
      collect(res, started, true).then(resolve, reject),
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** One JSON POST. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return sendJson('POST', url, body, headers);
}

export interface UploadBody {
  /** The file name sent in the part header (UTF-8, as browsers send it). */
  name: string;
  size: number;
  open: () => Readable;
}

/** A multipart/form-data POST of one file in the field `file`, streamed (never held in memory whole). */
export async function uploadFile(url: string, token: string, file: UploadBody): Promise<Answer> {
  const boundary = `----hoso-bench-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name.replace(/"/g, '')}"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const started = performance.now();
  const req = http.request(url, {
    method: 'POST',
    agent: false,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + file.size + tail.length),
    },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => collect(res, started, true).then(resolve, reject));
    req.on('error', reject);
  });
  req.write(head);
  const source = file.open();
  // The server may answer (a refusal) before the body is sent; the answer is what counts then.
  await Promise.race([pipeline(source, req, { end: false }).then(() => req.end(tail)), answer]).catch(() => undefined);
  return answer;
}
