// Which process schedules the workflows of a data directory. A serving hub owns the store: it holds the
// definitions in memory and writes them back, so another process writing beside it would be overwritten.
// One-shot CLI commands that change the store check this first and point to the hub's tools instead.
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const FILE = 'scheduler.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of another live process that schedules this data directory's workflows, if any. */
export function schedulingOwner(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'workflows', FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid !== process.pid && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Marks this process as the scheduler; returns the release. */
export function claimScheduling(dataDir: string): () => void {
  const dir = path.join(dataDir, 'workflows');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, FILE);
  writeFileSync(file, String(process.pid), { mode: 0o600 });
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
    } catch {
      // already gone
    }
  };
}
