// Cold-start benchmark: how long from spawning a process until its tools/list is answered over stdio,
// for the downstream server alone and for the hub fronting it (one stdio server) in two configs:
// the default one (memory on, embedding model from the model store if there is one) and a lean one
// (memory off, embeddings off). The configs are measured in interleaved rounds, so load from elsewhere
// on the machine falls on all of them alike; each config has its own scratch data folder and one
// discarded first start (which creates Chroma's files and the vector cache).
//
//   npm run bench:cold-start -- [--runs N] [--baseline OTHER/dist/src/cli.js] [--json FILE] [--cpu-prof DIR]
// --baseline measures another build of the hub in the same rounds (before/after a change).
// Each start sends initialize, notifications/initialized and tools/list as raw JSON-RPC lines (no SDK
// client, so the figures hold the spawned process's time only), then closes stdin and waits for the
// process to exit before the next start.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { storeRoot } from '../src/routing/model-store.js';

// ---------- arguments ----------
const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const runs = Number(arg('runs') ?? 10);
const baseline = arg('baseline') && path.resolve(arg('baseline')!);
const jsonOut = arg('json');
const profileDir = arg('cpu-prof') && path.resolve(arg('cpu-prof')!);
if (!(runs >= 1)) {
  console.error('usage: cold-start [--runs N] [--baseline CLI] [--json FILE] [--cpu-prof DIR]');
  process.exit(2);
}

// ---------- what runs ----------
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(DIST, 'src/cli.js');
const FIXTURE = path.join(DIST, 'test/fixtures/fixture-server.js');
const SERVER = 'bench';
// The hub logs at warn so logging does not dominate; the model store is the machine's own (not a test's).
const ENV: Record<string, string> = { ...(process.env as Record<string, string>), FIXTURE_NAME: SERVER, ORCHESTRATOR_LOG_LEVEL: 'warn' };
const START_TIMEOUT_MS = 60_000;

const workDir = mkdtempSync(path.join(os.tmpdir(), 'bench-cold-'));

/** A config file with the fixture as the one stdio server, its own data folder, and `extra` on top. */
function hubConfig(name: string, extra: Record<string, unknown>): string {
  const dir = path.join(workDir, name);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'orchestrator.config.yaml');
  writeFileSync(file, stringify({ servers: { [SERVER]: { command: process.execPath, args: [FIXTURE], env: { FIXTURE_NAME: SERVER } } }, dataDir: path.join(dir, 'data'), ...extra }));
  return file;
}
const defaultConfig = hubConfig('default', {});
const leanConfig = hubConfig('lean', { memory: { enabled: false }, routing: { embeddings: { provider: 'none' } } });
// The baseline build gets data folders of its own (its vector cache or Chroma files may differ).
const baseDefaultConfig = hubConfig('baseline-default', {});
const baseLeanConfig = hubConfig('baseline-lean', { memory: { enabled: false }, routing: { embeddings: { provider: 'none' } } });

interface Target {
  name: string;
  args: string[];
  /** The tool list must hold this name. */
  expect: string;
}
const targets: Target[] = [
  { name: 'server alone', args: [FIXTURE], expect: 'echo' },
  { name: 'hub, default config', args: [CLI, 'serve', '--config', defaultConfig], expect: `${SERVER}__echo` },
  { name: 'hub, no memory, no embeddings', args: [CLI, 'serve', '--config', leanConfig], expect: `${SERVER}__echo` },
];
if (baseline) {
  targets.push(
    { name: 'baseline hub, default config', args: [baseline, 'serve', '--config', baseDefaultConfig], expect: `${SERVER}__echo` },
    { name: 'baseline hub, no memory, no embeddings', args: [baseline, 'serve', '--config', baseLeanConfig], expect: `${SERVER}__echo` },
  );
}

// ---------- one start ----------
interface Timing {
  /** Spawn to the initialize answer. */
  initialized: number;
  /** Spawn to the tools/list answer. */
  listed: number;
}

let profiled = 0;

function start(target: Target): Promise<Timing> {
  const flags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${target.name.replace(/\W+/g, '-')}-${++profiled}.cpuprofile`] : [];
  const t0 = performance.now();
  const child = spawn(process.execPath, [...flags, ...target.args], { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const send = (message: object) => child.stdin!.write(`${JSON.stringify(message)}\n`);
  return new Promise<Timing>((resolve, reject) => {
    let initialized = 0;
    let buffer = '';
    let answered = false;
    const timer = setTimeout(() => fail(new Error(`no tools/list answer within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const fail = (err: Error) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${target.name}: ${err.message}\n${stderr}`));
    };
    child.once('exit', (code) => fail(new Error(`exited with ${code} before answering`)));
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.trim()) continue;
        const message = JSON.parse(line) as { id?: number; result?: { tools?: Array<{ name: string }> }; error?: unknown };
        if (message.id === 1) {
          if (message.error) return fail(new Error(`initialize failed: ${JSON.stringify(message.error)}`));
          initialized = performance.now() - t0;
          send({ jsonrpc: '2.0', method: 'notifications/initialized' });
          send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
        } else if (message.id === 2) {
          const listed = performance.now() - t0;
          const names = message.result?.tools?.map((t) => t.name) ?? [];
          if (!names.includes(target.expect)) return fail(new Error(`tools/list lacks ${target.expect}: ${line.slice(0, 300)}`));
          clearTimeout(timer);
          answered = true;
          // End of input ends the hub (and the server); wait for it so starts never overlap.
          child.stdin!.end();
          const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
          void exited.then(() => {
            clearTimeout(kill);
            resolve({ initialized, listed });
          });
        }
      }
    });
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench-cold-start', version: '1.0.0' } } });
  });
}

// ---------- measuring ----------
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const model = existsSync(path.join(storeRoot(), 'all-MiniLM-L6-v2', 'manifest.json')) ? `all-MiniLM-L6-v2 in ${storeRoot()}` : `no model in ${storeRoot()} (the default config downloads or searches lexically)`;
console.log(
  `cold start: spawn to tools/list answered over stdio, ${runs} interleaved rounds after one discarded start each; Node ${process.version}, ` +
    `${os.cpus().length}× ${os.cpus()[0]?.model.trim() ?? 'CPU'}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${new Date().toISOString().slice(0, 10)}\n` +
    `model: ${model}\n`,
);
const timings = targets.map(() => [] as Timing[]);
try {
  for (const t of targets) {
    process.stderr.write(`first start (discarded): ${t.name}\n`);
    await start(t);
  }
  for (let r = 0; r < runs; r++) {
    process.stderr.write(`round ${r + 1}/${runs}\n`);
    for (let k = 0; k < targets.length; k++) {
      const i = (k + r) % targets.length;
      timings[i].push(await start(targets[i]));
    }
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

const results = targets.map((t, i) => {
  const listed = timings[i].map((x) => x.listed).sort((a, b) => a - b);
  const initialized = timings[i].map((x) => x.initialized).sort((a, b) => a - b);
  return { target: t.name, runs: listed.length, p50: percentile(listed, 50), p90: percentile(listed, 90), min: listed[0], max: listed[listed.length - 1], initializeP50: percentile(initialized, 50) };
});
const header = ['target', 'tools/list p50 ms', 'p90 ms', 'min ms', 'max ms', 'initialize p50 ms'];
const rows = results.map((r) => [r.target, r.p50.toFixed(0), r.p90.toFixed(0), r.min.toFixed(0), r.max.toFixed(0), r.initializeP50.toFixed(0)]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const pad = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log([pad(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(pad)].join('\n'));
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadavg: os.loadavg(), model, runs, results, raw: timings }, null, 2));
