/**
 * Request schedules for the load figures: an open loop (requests start at a fixed rate whether or
 * not the earlier ones have been answered, as independent users do, so a slow server cannot slow
 * the load down and hide its own latency) and a closed loop (a fixed number of clients, each
 * sending its next request when the previous one is answered: what the server can sustain).
 */

export interface Sample {
  /** ms since the schedule began: when the request was due (open loop) or sent (closed loop). */
  start: number;
  /** ms since the schedule began. */
  end: number;
  /** From due time (open loop) or send time (closed loop) to the last byte of the answer. */
  ms: number;
  /** HTTP status; 0 when the request failed without one. */
  status: number;
  error?: string;
}

export interface OpenLoopResult {
  samples: Sample[];
  /** How late the scheduler started requests (its own event loop busy): p99 and max, ms. */
  lateP99: number;
  lateMax: number;
}

/** The answer's status, or a rejection: `fire` sends one request and resolves with its status. */
export type Fire = (index: number) => Promise<number>;

async function timed(fire: Fire, index: number, from: number, origin: number): Promise<Sample> {
  try {
    const status = await fire(index);
    const end = performance.now() - origin;
    return { start: from - origin, end, ms: end - (from - origin), status };
  } catch (err) {
    const end = performance.now() - origin;
    return { start: from - origin, end, ms: end - (from - origin), status: 0, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * `rate` requests a second for `seconds`, request i due at i / rate; latency counts from the due
 * time, so a late start (the client's own loop busy) is charged to the request, not hidden.
 * Resolves when every request has been answered.
 */
export async function openLoop(rate: number, seconds: number, fire: Fire): Promise<OpenLoopResult> {
  const count = Math.max(1, Math.floor(rate * seconds));
  const interval = 1000 / rate;
  const origin = performance.now() + 5;
  const pending: Promise<Sample>[] = [];
  const late: number[] = [];
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < count && origin + next * interval <= now) {
        const due = origin + next * interval;
        late.push(now - due);
        pending.push(timed(fire, next, due, origin));
        next += 1;
      }
      if (next >= count) resolve();
      else setTimeout(tick, Math.max(0, origin + next * interval - performance.now()));
    };
    setTimeout(tick, 5);
  });
  const samples = await Promise.all(pending);
  return { samples, lateP99: percentile(late, 99), lateMax: Math.max(...late) };
}

/**
 * `clients` loops, each sending `fire(client, n)` again as soon as its previous request is
 * answered, until `seconds` have passed; resolves when the last answer is in.
 */
export async function closedLoop(clients: number, seconds: number, fire: (client: number, n: number) => Promise<number>): Promise<Sample[]> {
  const origin = performance.now();
  const stopAt = origin + seconds * 1000;
  const samples: Sample[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let n = 0; performance.now() < stopAt; n++) {
        samples.push(await timed((i) => fire(client, i), n, performance.now(), origin));
      }
    }),
  );
  return samples;
}

/** `count` requests one after another, each sent when the previous one is answered (nothing else running). */
export async function oneAtATime(count: number, fire: Fire): Promise<Sample[]> {
  const origin = performance.now();
  const samples: Sample[] = [];
  for (let n = 0; n < count; n++) samples.push(await timed(fire, n, performance.now(), origin));
  return samples;
}

/** Requests answered per second between `fromMs` and `toMs` of the schedule (the warm-up and the drain left out). */
export function rateIn(samples: Sample[], fromMs: number, toMs: number): number {
  return samples.filter((s) => s.end >= fromMs && s.end < toMs).length / ((toMs - fromMs) / 1000);
}

/** Nearest-rank percentile (p in 0–100) of `values`; NaN when there are none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** The samples that did not answer with one of `ok`: "3 × 500, 1 × error (ECONNRESET)". */
export function failuresOf(samples: Sample[], ok: number[]): { count: number; text: string } {
  const bad = samples.filter((s) => !ok.includes(s.status));
  const kinds = new Map<string, number>();
  for (const s of bad) {
    const key = s.status === 0 ? `error (${s.error ?? 'unknown'})` : String(s.status);
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  return { count: bad.length, text: [...kinds].map(([k, n]) => `${n} × ${k}`).join(', ') };
}
