import { execFile } from 'node:child_process';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { AppError } from '../core/errors';
import type { StagedFile } from './blob-store';

export type VirusScannerConfig = NonNullable<Config['virusScanner']>;

/**
 * clamscan loads its whole signature database on every run (tens of seconds with the full one);
 * clamdscan asks a running clamd and answers in well under a second. Past this the scan counts
 * as failed.
 */
const SCAN_TIMEOUT_MS = 120_000;
const MAX_OUTPUT_BYTES = 1024 * 1024;

/** A scanner found malware in an upload: the request is refused and nothing of it is kept. */
export class InfectedFileError extends AppError {
  constructor(
    readonly fileName: string,
    readonly signature: string,
  ) {
    // 400 like every other refused upload: the client must send something else (422 would add a status to the contract for no gain).
    super(400, 'infected_file', 'upload.infected', { name: fileName, signature });
  }
}

/** The scanner could not give a verdict (missing, crashed, timed out): uploads are refused until it can. */
export class ScannerUnavailableError extends AppError {
  constructor(cause: unknown) {
    super(503, 'scanner_unavailable', 'upload.scannerUnavailable');
    this.cause = cause;
  }
}

/** Scans staged uploads; resolves when every one is clean, else throws one of the errors above. */
export type ScanUploads = (files: readonly StagedFile[], log: Logger) => Promise<void>;

/**
 * The scan step of the upload pipeline, between staging and commit: with no scanner configured it
 * lets everything through; with one, it fails closed (no verdict, no file).
 */
export function virusScanner(config: VirusScannerConfig | null): ScanUploads {
  if (!config) return () => Promise.resolve();
  return (files, log) => scanStaged(config, files, log);
}

interface ScanRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  failure?: Error;
}

function run(command: string, args: string[]): Promise<ScanRun> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: SCAN_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve({ exitCode: 0, stdout, stderr });
      // A number is the scanner's exit status; a string (ENOENT, EACCES) means it never ran.
      resolve({ exitCode: typeof err.code === 'number' ? err.code : null, stdout, stderr, failure: err });
    });
  });
}

/** The first file the scanner reported, from its `<path>: <signature> FOUND` lines. */
function firstFinding(stdout: string, files: readonly StagedFile[]): { file: StagedFile; signature: string } | undefined {
  const lines = stdout.split('\n');
  for (const file of files) {
    const prefix = `${file.stagingPath}: `;
    const line = lines.find((l) => l.startsWith(prefix) && l.endsWith(' FOUND'));
    if (line) return { file, signature: line.slice(prefix.length, -' FOUND'.length) };
  }
  return undefined;
}

/**
 * Runs the scanner once over all the files of a request (clamscan and clamdscan share their
 * arguments, output and exit codes: 0 clean, 1 found, 2 error). An infected file is logged as a
 * warning, since someone sent malware; a failed scan as an error, since uploads stop until an
 * operator mends the scanner.
 */
async function scanStaged(scanner: VirusScannerConfig, files: readonly StagedFile[], log: Logger): Promise<void> {
  if (files.length === 0) return;
  const result = await run(scanner.command, [...scanner.args, '--no-summary', ...files.map((f) => f.stagingPath)]);
  if (result.exitCode === 0) return;
  const found = result.exitCode === 1 ? firstFinding(result.stdout, files) : undefined;
  if (found) {
    log.warn({ file: found.file.originalName, sha256: found.file.sha256, signature: found.signature }, 'upload refused: the virus scanner found malware');
    throw new InfectedFileError(found.file.originalName, found.signature);
  }
  const why = result.failure?.message ?? `exit status ${String(result.exitCode)}`;
  const failure = new ScannerUnavailableError(new Error(`virus scan with ${scanner.command} failed: ${why}\n${result.stdout}${result.stderr}`.trim()));
  // Logged here, whoever the caller: a page shows the 503 as a message and never reaches the error handler.
  log.error({ err: failure.cause }, 'upload refused: the virus scan failed');
  throw failure;
}
