// Proxy-overhead benchmark: the same tools/call made directly to a downstream MCP server and through
// the hub, over stdio and over Streamable HTTP, with the official SDK Client. A minimal SDK
// pass-through (bench/passthrough-server.ts) is measured alongside as the floor for two stdio hops.
//
//   npm run bench:proxy -- [--calls N] [--concurrency C] [--warmup W] [--rounds R] [--only stdio|http]
//                          [--json FILE] [--cpu-prof DIR] [--baseline OTHER/dist/src/cli.js]
// The endpoints of one transport are measured in interleaved rounds, so that load from elsewhere on the
// machine falls on all of them alike. --cpu-prof writes a V8 CPU profile of each server process;
// --baseline measures another build of the hub over stdio in the same rounds (before/after a change).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

// ---------- arguments ----------
const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const calls = Number(arg('calls') ?? 2000);
const concurrency = Number(arg('concurrency') ?? 16);
const warmup = Number(arg('warmup') ?? 500);
const rounds = Number(arg('rounds') ?? 5);
const profileDir = arg('cpu-prof');
const baseline = arg('baseline') && path.resolve(arg('baseline')!);
const only = arg('only') as 'stdio' | 'http' | undefined;
const jsonOut = arg('json');
if (!(calls > 0 && concurrency > 0 && warmup >= 0 && rounds >= 1) || (only && only !== 'stdio' && only !== 'http')) {
  console.error('usage: proxy [--calls N] [--concurrency C] [--warmup W] [--rounds R] [--only stdio|http] [--json FILE] [--cpu-prof DIR] [--baseline CLI]');
  process.exit(2);
}

// ---------- what runs ----------
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(DIST, 'src/cli.js');
const FIXTURE = path.join(DIST, 'test/fixtures/fixture-server.js');
const PASSTHROUGH = path.join(DIST, 'bench/passthrough-server.js');
const SERVER = 'bench';
const MESSAGE = 'hello';
const EXPECTED = `${SERVER}: ${MESSAGE}`;
// Every process gets the same minimal environment; the hub logs at warn so logging does not dominate.
const ENV = { ...getDefaultEnvironment(), FIXTURE_NAME: SERVER, ORCHESTRATOR_LOG_LEVEL: 'warn' };
/** Node's own flags for the processes under test (profiling), before the script. */
const nodeFlags = (name: string) => (profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${name}.cpuprofile`] : []);

interface Connected {
  client: Client;
  /** The tool's name as this endpoint serves it. */
  tool: string;
  close(): Promise<void>;
}

function newClient(): Client {
  return new Client({ name: 'bench-proxy', version: '1.0.0' });
}

async function overStdio(name: string, args: string[], tool: string): Promise<Connected> {
  const client = newClient();
  const command = process.execPath;
  args = [...nodeFlags(name), ...args];
  const transport = new StdioClientTransport({ command, args, env: ENV, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  await client.connect(transport).catch((err) => {
    throw new Error(`${[command, ...args].join(' ')} did not start: ${(err as Error).message}\n${stderr}`);
  });
  return { client, tool, close: () => client.close() };
}

/** Spawns a process that serves Streamable HTTP and announces its URL on stderr. */
async function overHttp(name: string, args: string[], tool: string): Promise<Connected> {
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags(name), ...args], { env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${stderr}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
      const match = HTTP_URL.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${stderr}`));
    });
  });
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return {
    client,
    tool,
    async close() {
      await client.close();
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const HTTP_URL = /(http:\/\/\S+\/mcp)/;

const workDir = mkdtempSync(path.join(os.tmpdir(), 'bench-proxy-'));
const configFile = path.join(workDir, 'orchestrator.config.yaml');
// The hub reaches the fixture over stdio in both of its modes.
writeFileSync(configFile, stringify({ servers: { [SERVER]: { command: process.execPath, args: [FIXTURE], env: { FIXTURE_NAME: SERVER } } } }));
const hubTool = `${SERVER}__echo`;

interface Scenario {
  transport: 'stdio' | 'http';
  target: 'direct' | 'sdk pass-through' | 'hub' | 'hub (baseline)';
  connect(): Promise<Connected>;
}
const scenarios: Scenario[] = [
  { transport: 'stdio', target: 'direct', connect: () => overStdio('stdio-direct', [FIXTURE], 'echo') },
  { transport: 'stdio', target: 'sdk pass-through', connect: () => overStdio('stdio-passthrough', [PASSTHROUGH, process.execPath, FIXTURE], 'echo') },
  { transport: 'stdio', target: 'hub', connect: () => overStdio('stdio-hub', [CLI, 'serve', '--config', configFile], hubTool) },
  { transport: 'http', target: 'direct', connect: () => overHttp('http-direct', [FIXTURE, '--http', '0'], 'echo') },
  { transport: 'http', target: 'hub', connect: () => overHttp('http-hub', [CLI, 'serve', '--config', configFile, '--http', '--host', '127.0.0.1', '--port', '0'], hubTool) },
];
// Another build of the hub measured alongside, in the same rounds (before/after a change).
if (baseline) {
  scenarios.splice(3, 0, { transport: 'stdio', target: 'hub (baseline)', connect: () => overStdio('stdio-hub-baseline', [baseline, 'serve', '--config', configFile], hubTool) });
}

// ---------- measuring ----------
interface Stats {
  transport: string;
  target: string;
  calls: number;
  p50: number;
  p99: number;
  mean: number;
  throughput: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `total` calls with `concurrency` of them in flight at all times; returns each call's latency (ms) and the wall time. */
async function run(c: Connected, total: number): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  let started = 0;
  const worker = async () => {
    while (started < total) {
      started++;
      const t0 = performance.now();
      const result = await c.client.callTool({ name: c.tool, arguments: { message: MESSAGE } });
      latencies.push(performance.now() - t0);
      const content = result.content as Array<{ type: string; text?: string }>;
      if (result.isError || content[0]?.text !== EXPECTED) throw new Error(`unexpected result from ${c.tool}: ${JSON.stringify(result)}`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { latencies, wallMs: performance.now() - t0 };
}

/** Measures the endpoints of one transport together: warm-up each, then `rounds` rounds of calls/rounds calls each, in rotating order. */
async function measureAll(group: Scenario[]): Promise<Stats[]> {
  const connected: Connected[] = [];
  try {
    for (const s of group) connected.push(await s.connect());
    for (const c of connected) if (warmup > 0) await run(c, warmup);
    const latencies = group.map(() => [] as number[]);
    const wallMs = group.map(() => 0);
    for (let r = 0; r < rounds; r++) {
      const share = Math.floor(calls / rounds) + (r < calls % rounds ? 1 : 0);
      for (let k = 0; k < group.length; k++) {
        const i = (k + r) % group.length;
        const done = await run(connected[i], share);
        latencies[i].push(...done.latencies);
        wallMs[i] += done.wallMs;
      }
    }
    return group.map((s, i) => {
      const sorted = latencies[i].sort((a, b) => a - b);
      return {
        transport: s.transport,
        target: s.target,
        calls,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
        throughput: (calls / wallMs[i]) * 1000,
      };
    });
  } finally {
    await Promise.all(connected.map((c) => c.close()));
  }
}

// ---------- targets ----------
interface Check {
  what: string;
  value: number;
  limit: number;
  /** 'max': value must not exceed limit; 'min': value must reach it. */
  kind: 'max' | 'min';
}

function checks(results: Stats[]): Check[] {
  const find = (transport: string, target: string) => results.find((r) => r.transport === transport && r.target === target);
  const out: Check[] = [];
  const [sd, sh] = [find('stdio', 'direct'), find('stdio', 'hub')];
  if (sd && sh) {
    out.push({ what: 'stdio p50 hub/direct', value: sh.p50 / sd.p50, limit: 2.2, kind: 'max' });
    out.push({ what: 'stdio throughput hub/direct', value: sh.throughput / sd.throughput, limit: 0.5, kind: 'min' });
  }
  const [hd, hh] = [find('http', 'direct'), find('http', 'hub')];
  if (hd && hh) out.push({ what: 'http p50 hub/direct', value: hh.p50 / hd.p50, limit: 2, kind: 'max' });
  return out;
}

const passes = (c: Check) => (c.kind === 'max' ? c.value <= c.limit : c.value >= c.limit);

function pad(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
}

function report(results: Stats[]): string {
  const direct = (r: Stats) => results.find((d) => d.transport === r.transport && d.target === 'direct');
  const header = ['transport', 'target', 'p50 ms', 'p99 ms', 'calls/s', 'p50 ×direct', 'calls/s ×direct'];
  const rows = results.map((r) => {
    const d = direct(r);
    return [r.transport, r.target, r.p50.toFixed(2), r.p99.toFixed(2), r.throughput.toFixed(0), d ? (r.p50 / d.p50).toFixed(2) : '', d ? (r.throughput / d.throughput).toFixed(2) : ''];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const lines = [pad(header, widths), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((row) => pad(row, widths))];
  lines.push('', 'targets:');
  for (const c of checks(results)) {
    lines.push(`  ${passes(c) ? 'PASS' : 'FAIL'}  ${c.what} = ${c.value.toFixed(2)} (target ${c.kind === 'max' ? '<=' : '>='} ${c.limit})`);
  }
  return lines.join('\n');
}

// ---------- main ----------
console.log(
  `proxy overhead: ${calls} calls of echo per endpoint in ${rounds} interleaved rounds after ${warmup} warm-up, ${concurrency} in flight; Node ${process.version}, ` +
    `${os.cpus().length}× ${os.cpus()[0]?.model.trim() ?? 'CPU'}, ${new Date().toISOString().slice(0, 10)}\n`,
);
const results: Stats[] = [];
try {
  for (const transport of ['stdio', 'http'] as const) {
    if (only && only !== transport) continue;
    process.stderr.write(`measuring over ${transport}...\n`);
    results.push(...(await measureAll(scenarios.filter((s) => s.transport === transport))));
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
console.log(report(results));
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, calls, concurrency, warmup, rounds, results, checks: checks(results).map((c) => ({ ...c, pass: passes(c) })) }, null, 2));
