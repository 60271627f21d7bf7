// Other processes, seen from a test: whether one lives, and which run under a parent or on a folder
// (to check that no Chroma server outlives the hub that started it).
import { execFileSync } from 'node:child_process';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  args: string;
}

export function processes(): ProcessInfo[] {
  return execFileSync('ps', ['-eww', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Embedded Chroma servers (the hub's supervisor runs `chroma run --path <dir>/chroma`) under `dir`, or children of `parent`. */
export function chromaServers(where: { dir?: string; parent?: number }): ProcessInfo[] {
  return processes().filter(
    (p) => p.args.includes('chroma') && p.args.includes(' run --path ') && (where.dir === undefined || p.args.includes(`--path ${where.dir}`)) && (where.parent === undefined || p.ppid === where.parent),
  );
}
