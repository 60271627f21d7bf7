// Crash-safe files: a write goes to a temp file that is flushed to disk and renamed over the target,
// and the directory is flushed too, so a process killed at any moment (SIGKILL) leaves either the old
// or the new content, never a torn file. Leftover temp files are removed when the store opens.
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

const TEMP = /\.tmp-[0-9a-f]+$/;

export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const temp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDir(path.dirname(file));
}

export async function removeFileDurable(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return;
  }
  await syncDir(path.dirname(file));
}

/** Makes renames and unlinks in `dir` durable. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
    if (!['EINVAL', 'EPERM', 'EISDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle.close();
  }
}

/** Removes temp files a killed writer left behind. */
export async function removeTempFiles(dir: string): Promise<number> {
  const names = await readdir(dir);
  const temps = names.filter((n) => TEMP.test(n));
  await Promise.all(temps.map((n) => unlink(path.join(dir, n)).catch(() => undefined)));
  return temps.length;
}

/** Serialises the writes to each file: the last write wins, in the order they were asked for. */
export class WriteQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run(file: string, job: () => Promise<void>): Promise<void> {
    const next = (this.tails.get(file) ?? Promise.resolve()).then(job, job);
    const tail = next.catch(() => undefined);
    this.tails.set(file, tail);
    void tail.then(() => {
      if (this.tails.get(file) === tail) this.tails.delete(file);
    });
    return next;
  }

  /** Resolves when every queued write has finished. */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.all(this.tails.values());
  }
}
