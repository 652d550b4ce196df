import fsp from 'node:fs/promises';
import path from 'node:path';
import { OpsError } from './ops-error';

/** fsync of a file makes its bytes durable; of a directory, the names created or renamed in it. */
export async function fsyncPath(fileOrDir: string): Promise<void> {
  const handle = await fsp.open(fileOrDir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates `dir` if needed; refuses one that already holds anything, naming a few of its entries. */
export async function prepareEmptyDir(dir: string, what: string, hint: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const entries = await fsp.readdir(dir);
  if (entries.length) {
    const shown = entries.sort().slice(0, 5).join(', ');
    throw new OpsError(`${what} ${dir} is not empty (${shown}${entries.length > 5 ? ', …' : ''}). ${hint}`);
  }
  await fsyncPath(path.dirname(path.resolve(dir)));
}

/**
 * Puts `file` in place so that after a crash it is either whole or absent: `write` fills a
 * temporary name beside it, which is synced, renamed to `file`, and the folder synced.
 */
export async function placeDurably(file: string, write: (partial: string) => Promise<void>): Promise<void> {
  const partial = `${file}.partial`;
  await write(partial);
  await fsyncPath(partial);
  await fsp.rename(partial, file);
  await fsyncPath(path.dirname(file));
}
