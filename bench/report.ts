import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The figures of a run, their targets and baselines, printed as a table and written as JSON. */

export interface Target {
  /** What the target bounds: the figure itself, or its ratio to the baseline. */
  on: 'value' | 'ratio';
  op: '<=' | '>=' | '==';
  limit: number;
}

export interface Figure {
  id: string;
  name: string;
  value: number | null;
  unit: string;
  /** How to print a value that is not a quantity (a yes or no); `value` still holds 1 or 0. */
  shown?: { value: string; target: string };
  target: Target | null;
  baseline?: { name: string; value: number; unit: string };
  /** value / baseline. */
  ratio?: number;
  note?: string;
}

export interface JudgedFigure extends Figure {
  /** null when there is no target or no value. */
  pass: boolean | null;
}

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGb: number;
  node: string;
  os: string;
  /** 1-, 5- and 15-minute load averages at the start and the end of the run: other work on the machine. */
  loadAtStart: number[];
  loadAtEnd?: number[];
  commit: string | null;
}

export function describeMachine(root: string): Machine {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // Not a git checkout: the results simply do not name a commit.
  }
  return {
    nproc: os.availableParallelism(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAtStart: os.loadavg().map(round2),
    commit,
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function holds(value: number, { op, limit }: Target): boolean {
  if (op === '<=') return value <= limit;
  if (op === '>=') return value >= limit;
  return value === limit;
}

export function judge(figure: Figure): JudgedFigure {
  const measured = figure.target?.on === 'ratio' ? figure.ratio : figure.value;
  const pass = figure.target && measured !== undefined && measured !== null && Number.isFinite(measured) ? holds(measured, figure.target) : null;
  return { ...figure, pass };
}

/** Three significant digits, without exponent notation. */
function num(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 100) return String(Math.round(n));
  return String(Number(n.toPrecision(3)));
}

function targetText(f: Figure): string {
  if (!f.target) return '';
  const subject = f.target.on === 'ratio' ? '× baseline' : f.unit;
  return `${f.target.op} ${num(f.target.limit)} ${subject}`.trim();
}

/** The figures as a fixed-width text table (also used, as is, in docs/performance.md). */
export function table(figures: JudgedFigure[]): string {
  const rows = figures.map((f) => [
    f.id,
    f.name,
    f.shown?.value ?? `${num(f.value)} ${f.unit}`.trim(),
    f.shown?.target ?? targetText(f),
    f.baseline ? `${num(f.baseline.value)} ${f.baseline.unit} (${f.baseline.name})` : '',
    f.ratio === undefined ? '' : `${num(f.ratio)}×`,
    f.pass === null ? '' : f.pass ? 'ok' : 'MISS',
  ]);
  const header = ['#', 'figure', 'measured', 'target', 'baseline', 'ratio', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const notes = figures.filter((f) => f.note).map((f) => `  ${f.id}: ${f.note}`);
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

export interface Results {
  date: string;
  mode: 'full' | 'quick';
  machine: Machine;
  scenario: Record<string, unknown>;
  figures: JudgedFigure[];
}

/** Writes `bench/results/<date>.json` (git-ignored) and returns its path. */
export function writeResults(dir: string, results: Results): string {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = results.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const file = path.join(dir, `${stamp}${results.mode === 'quick' ? '-quick' : ''}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
