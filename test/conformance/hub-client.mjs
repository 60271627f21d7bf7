#!/usr/bin/env node
// The client under test for the conformance suite's client scenarios (scripts/conformance.mjs --client):
// what is tested is the hub's downstream client, driven through the one-shot CLI. The suite starts a mock
// server per scenario, runs this command with the mock's URL as the last argument and the scenario's name
// in MCP_CONFORMANCE_SCENARIO, then judges what the mock saw. Scenarios run in parallel, so each run
// gets its own config and data directory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const cli = path.resolve(import.meta.dirname, '../../dist/src/cli.js');
const url = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO;
let dir;
if (!url?.startsWith('http')) fail(`expected the mock server's URL as the last argument, got ${JSON.stringify(url)}`);

dir = mkdtempSync(path.join(tmpdir(), 'hub-client-'));
const config = path.join(dir, 'orchestrator.config.yaml');
writeFileSync(
  config,
  [
    'servers:',
    '  mock:',
    `    url: ${JSON.stringify(url)}`,
    '    transport: http',
    '    prefix: false',
    'expose: { mode: all }',
    'routing: { embeddings: { provider: none } }',
    'memory: { enabled: false }',
    'audit: { enabled: false }',
    '',
  ].join('\n'),
);

/** Runs the hub CLI once against the mock; its stdout, or exit with its status. */
function hub(...args) {
  const run = spawnSync(process.execPath, [cli, '-c', config, '--log-level', 'error', ...args], { encoding: 'utf8' });
  process.stderr.write(run.stderr ?? '');
  if (run.status !== 0) fail(`mcp-orchestrator ${args.join(' ')} exited with ${run.status ?? run.signal}`, run.status ?? 1);
  return run.stdout;
}

function fail(message, code = 2) {
  process.stderr.write(`hub-client: ${message}\n`);
  if (dir) rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}

switch (scenario) {
  case 'initialize': // connect (initialize or server/discover) and list
    hub('tools', '--json');
    break;
  case 'tools_call':
    process.stdout.write(hub('call', 'add_numbers', '{"a":5,"b":3}'));
    break;
  case 'sse-retry': // the mock closes the call's stream; the downstream transport must resume it
    process.stdout.write(hub('call', 'test_reconnection'));
    break;
  case 'json-schema-2020-12-preservation': {
    // The mock checks that the schema it listed comes back unchanged after passing through the hub.
    const tool = JSON.parse(hub('tools', '--json')).find((t) => t.name === 'json_schema_2020_12_tool');
    if (!tool) fail('the hub did not list json_schema_2020_12_tool');
    process.stdout.write(hub('call', 'json_schema_echo', JSON.stringify({ schema: tool.inputSchema })));
    break;
  }
  default:
    fail(`scenario ${JSON.stringify(scenario)} is not one this wrapper drives`, 3);
}
rmSync(dir, { recursive: true, force: true });
