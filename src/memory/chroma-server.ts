// The embedded Chroma server: the `chromadb` package's own CLI (`chroma run`, a native binding; no
// Python), on a free loopback port, persisted in one folder, stopped with the hub and never orphaned.
//
// Access. Chroma 1.x's server (Rust) has no authentication: its auth hook is a no-op that lets every
// request through, and the Python-era settings (CHROMA_SERVER_AUTHN_PROVIDER, x-chroma-token) are
// ignored. So any local process could read the runs from the loopback port. What guards them instead:
//  - a random tenant and database (128 bits each), kept only in <dir>/hub-secret.json (0600). The HTTP
//    API has no call that lists tenants; listing databases or collections needs the tenant's name, and
//    reading records needs a collection's id (a random UUID), which only such a listing reveals.
//    A process without the file finds only the empty default tenant. (Record reads do not check that
//    the collection belongs to the tenant in the path: the collection id is the real secret.)
//  - the folder 0700 and its files 0600 (the server runs with umask 077), so another OS user can read
//    neither the secret file nor the database. A process of the same user can read both: this is not
//    a boundary against the hub's own user.
//  - the server gets a minimal environment, never the hub's (which holds API keys and tokens).
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

export interface EmbeddedChroma {
  url: string;
  /** The hub's tenant and database on this server (created by the caller when missing). */
  secret: ChromaSecret;
  /** The server process (or the one another hub started on the same folder). */
  pid: number;
  /** False when another live process on the same folder already served it: we use its server and leave it running. */
  owned: boolean;
  /** Milliseconds from spawn to the first answered heartbeat (0 when shared). */
  startMs: number;
  /** Called once if the server exits while we still use it. */
  onExit(listener: (reason: string) => void): void;
  stop(): Promise<void>;
}

export interface EmbeddedChromaOptions {
  dir: string;
  timeoutMs: number;
  logger?: { debug(msg: string, meta?: object): void; info(msg: string, meta?: object): void };
}

// The binding's `cli()` runs the server inside one native call that never yields to the event loop,
// so the CLI runs on a worker thread while the main thread watches stdin: when the hub goes away,
// even killed, the pipe closes and the server goes with it (SIGKILL: exit() would wait for the worker).
const SUPERVISOR = `
import { Worker } from 'node:worker_threads';
process.umask(0o077);
const [cli, ...args] = process.argv.slice(1);
const worker = new Worker(
  "import { workerData } from 'node:worker_threads';" +
  "import { pathToFileURL } from 'node:url';" +
  "process.argv = [process.execPath, workerData.cli, ...workerData.args];" +
  "await import(pathToFileURL(workerData.cli).href);",
  { eval: true, execArgv: ['--input-type=module'], workerData: { cli, args } },
);
worker.on('error', (e) => { console.error(String(e && e.stack || e)); process.exit(1); });
worker.on('exit', (code) => process.exit(code || 1));
const die = () => process.kill(process.pid, 'SIGKILL');
process.stdin.on('end', die);
process.stdin.on('close', die);
process.stdin.on('error', die);
process.stdin.resume();
`;

/** Path of the chromadb package's CLI (its `bin.chroma`). */
export function chromaCliPath(): string {
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve('chromadb'));
  while (!existsSync(path.join(dir, 'package.json')) || JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== 'chromadb') {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('chromadb package.json not found');
    dir = up;
  }
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin?: Record<string, string> | string };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.chroma;
  if (!bin) throw new Error('the chromadb package has no `chroma` CLI');
  return path.join(dir, bin);
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function heartbeat(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockFile {
  pid: number;
  url: string;
}

const LOCK = 'hub-server.json';
const SECRET = 'hub-secret.json';

/** Where the embedded server keeps the hub's records: names nobody can guess (see the top of this file). */
export interface ChromaSecret {
  tenant: string;
  database: string;
}

/** Variables the server may see: enough to run (paths, temp dir, locale), nothing of the hub's secrets. */
const ENV_KEEP = ['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT', 'WINDIR', 'COMSPEC', 'PATHEXT'];

export function chromaEnv(from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const key of ENV_KEEP) if (from[key] !== undefined) env[key] = from[key];
  return env;
}

/** Makes `dir` 0700 and everything in it: folders 0700, files 0600 (data written before this rule too). */
export function lockDown(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) lockDown(p);
    else if (entry.isFile() && (statSync(p).mode & 0o077) !== 0) chmodSync(p, 0o600);
  }
}

/** The tenant and database of `dir`'s server, created on first use (by one process: the file is created exclusively). */
export function chromaSecret(dir: string): ChromaSecret {
  const file = path.join(dir, SECRET);
  const read = (): ChromaSecret | undefined => {
    try {
      const s = JSON.parse(readFileSync(file, 'utf8')) as ChromaSecret;
      return typeof s.tenant === 'string' && typeof s.database === 'string' && s.tenant && s.database ? s : undefined;
    } catch {
      return undefined;
    }
  };
  const existing = read();
  if (existing) return existing;
  const secret = { tenant: `t_${randomBytes(16).toString('hex')}`, database: `d_${randomBytes(16).toString('hex')}` };
  try {
    writeFileSync(file, JSON.stringify(secret), { mode: 0o600, flag: existsSync(file) ? 'w' : 'wx' });
  } catch (e) {
    // Another process made it first: use its names.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return read() ?? secret;
    throw e;
  }
  return secret;
}

/** Starts the server on `dir` (or joins the one another hub runs there: two servers on one folder would corrupt it). */
export async function startEmbeddedChroma(options: EmbeddedChromaOptions): Promise<EmbeddedChroma> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  lockDown(options.dir);
  const secret = chromaSecret(options.dir);
  const lockPath = path.join(options.dir, LOCK);
  const shared = await joinRunning(lockPath);
  if (shared) {
    options.logger?.info(`using the Chroma server another process runs on ${options.dir}`, { pid: shared.pid });
    return { url: shared.url, secret, pid: shared.pid, owned: false, startMs: 0, onExit() {}, stop: async () => undefined };
  }
  let lastError: Error | undefined;
  // A port found free can be taken before the server binds it; another port fixes that.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const server = await spawnServer(options, await freePort(), secret);
      writeFileSync(lockPath, JSON.stringify({ pid: server.pid, url: server.url } satisfies LockFile), { mode: 0o600 });
      const stop = server.stop;
      server.stop = async () => {
        await stop();
        rmSync(lockPath, { force: true });
      };
      return server;
    } catch (e) {
      lastError = e as Error;
      if (/timed out/.test(lastError.message)) break;
    }
  }
  throw lastError ?? new Error('Chroma did not start');
}

async function joinRunning(lockPath: string): Promise<LockFile | undefined> {
  if (!existsSync(lockPath)) return undefined;
  try {
    const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as LockFile;
    if (lock.pid !== process.pid && alive(lock.pid) && (await heartbeat(lock.url))) return lock;
  } catch {
    // unreadable lock: ours to replace
  }
  return undefined;
}

function spawnServer(options: EmbeddedChromaOptions, port: number, secret: ChromaSecret): Promise<EmbeddedChroma> {
  const host = '127.0.0.1';
  const url = `http://${host}:${port}`;
  const args = ['--input-type=module', '-e', SUPERVISOR, chromaCliPath(), 'run', '--path', options.dir, '--host', host, '--port', String(port)];
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env: chromaEnv() });
  // The last output, for the reason when it fails; the banner is not worth logging.
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-2000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const lastLines = () =>
    tail
      .replace(/\x1b\[[0-9;]*m/g, '')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^[(#\s]+$/.test(l))
      .slice(-3)
      .join(' | ');

  let exited: string | undefined;
  let stopping = false;
  const exitListeners: Array<(reason: string) => void> = [];
  const exitPromise = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = `Chroma exited (${signal ?? `code ${code}`})${lastLines() ? `: ${lastLines()}` : ''}`;
      if (!stopping) exitListeners.splice(0).forEach((l) => l(exited!));
      resolve();
    });
    child.on('error', (e) => {
      exited = `Chroma could not be started: ${e.message}`;
      resolve();
    });
  });

  const stop = async () => {
    if (exited) return;
    stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exitPromise;
    clearTimeout(timer);
  };

  return (async () => {
    // No event says "listening"; the heartbeat is the readiness signal, polled until it answers or the process dies.
    while (!exited) {
      if (await heartbeat(url, 500)) {
        const startMs = Date.now() - started;
        options.logger?.debug('embedded Chroma started', { url, pid: child.pid, ms: startMs });
        return { url, secret, pid: child.pid!, owned: true, startMs, onExit: (l) => void exitListeners.push(l), stop };
      }
      if (Date.now() - started > options.timeoutMs) {
        await stop();
        throw new Error(`Chroma did not answer on ${url} within ${options.timeoutMs} ms (timed out)${lastLines() ? `: ${lastLines()}` : ''}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(exited);
  })();
}
