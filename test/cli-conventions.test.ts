// The CLI behaves like one: results on stdout, diagnostics on stderr, --version, `call` for the hub's
// own tools, hints that name commands, and errors a person can act on (port in use, a command that is
// not installed, JSON vs YAML syntax, unknown keys with a suggestion), with the documented exit codes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliHints } from '../src/cli/hints.js';
import { CLI, ROOT, fixture, tempDir, writeConfig } from './support/hub.js';

const run = (args: string[], options: { env?: NodeJS.ProcessEnv } = {}) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, ...options });
const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let config: string;
beforeAll(() => {
  config = writeConfig(tempDir(), { servers: { alpha: fixture('alpha') }, routing: { embeddings: { provider: 'none' } }, memory: { enabled: false } });
});

describe('cli conventions', () => {
  it('--version prints the package version on stdout', () => {
    for (const flag of ['--version', '-V']) {
      const r = run([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(version);
      expect(r.stderr).toBe('');
    }
  });

  it('puts results on stdout and diagnostics on stderr', () => {
    const tools = run(['tools', '--config', config]);
    expect(tools.status, tools.stderr).toBe(0);
    // The table is the result: `tools | grep add` finds the row.
    expect(tools.stdout).toMatch(/^TOOL\s+DESCRIPTION/);
    expect(tools.stdout.split('\n').filter((l) => l.includes('add'))).toEqual(expect.arrayContaining([expect.stringMatching(/^alpha__add\s+Adds two numbers/)]));
    // The count is a diagnostic.
    expect(tools.stderr).toMatch(/\d+ tools/);
    expect(tools.stdout).not.toMatch(/\d+ tools/);

    const call = run(['call', 'alpha__add', '{"a": 2, "b": 40}', '--config', config]);
    expect(call.status, call.stderr).toBe(0);
    expect(call.stdout).toContain('42');

    const unknown = run(['call', 'alpha__ad', '{}', '--config', config]);
    expect(unknown.status).toBe(1);
    expect(unknown.stdout).toBe('');
    // Hints name the command, not the MCP meta-tool.
    expect(unknown.stderr).toContain('Did you mean alpha__add');
    expect(unknown.stderr).toContain('mcp-orchestrator search');
    expect(unknown.stderr).not.toContain('search_tools');

    const doctor = run(['doctor', '--config', config]);
    expect(doctor.status).toBe(0);
    expect(doctor.stdout).toMatch(/alpha\s+ready/);
  });

  it('calls the hub\'s own tools: hub_status, search_tools', () => {
    const status = run(['call', 'hub_status', '--config', config]);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/\d+ tools from 1\/1 servers/);
    const json = run(['call', 'hub_status', '--json', '--config', config]);
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).structuredContent.totals).toMatchObject({ servers: 1, ready: 1 });
    const search = run(['call', 'search_tools', '{"query": "add two numbers", "limit": 2}', '--json', '--config', config]);
    expect(search.status, search.stderr).toBe(0);
    expect(JSON.parse(search.stdout).structuredContent.tools[0]).toMatchObject({ name: 'alpha__add' });
    const bad = run(['call', 'search_tools', '{"limit": 2}', '--config', config]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/query/);
  });

  it('names the command for workflows, not list_workflows', () => {
    const r = run(['workflows', 'show', 'nosuch', '--config', config]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('mcp-orchestrator workflows list');
    expect(r.stderr).not.toContain('list_workflows');
  });

  it('drops a doubled MCP error prefix and rewords MCP hints', () => {
    expect(cliHints('MCP error -32600: MCP error -32600: refused')).toBe('MCP error -32600: refused');
    expect(cliHints('see tools/list')).toBe('see `mcp-orchestrator tools`');
  });
});

describe('errors a person can act on', () => {
  let blocker: Server;
  let port: number;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it('port in use: which port, which process, which flag or key', () => {
    const byFlag = run(['serve', '--http', '--port', String(port), '--config', config]);
    expect(byFlag.status).toBe(2);
    expect(byFlag.stdout).toBe('');
    expect(byFlag.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(byFlag.stderr).toContain('--port');
    if (process.platform === 'linux') expect(byFlag.stderr).toContain(`pid ${process.pid}`);
    expect(byFlag.stderr).not.toMatch(/EADDRINUSE|at .*\.js:\d+/);

    const byKey = writeConfig(tempDir(), { servers: { alpha: fixture('alpha') }, routing: { embeddings: { provider: 'none' } }, memory: { enabled: false }, http: { port } });
    const fromConfig = run(['serve', '--http', '--config', byKey]);
    expect(fromConfig.status).toBe(2);
    expect(fromConfig.stderr).toContain(`http.port in ${byKey}`);
  });

  it('a server command that is not installed: says so and how to fix it', () => {
    const file = writeConfig(tempDir(), { servers: { gone: { command: 'no-such-command-here' }, py: { command: 'uvx', args: ['some-server'], env: { PATH: '/nonexistent' } } }, routing: { embeddings: { provider: 'none' } } });
    const r = run(['doctor', '--config', file], { env: { ...process.env, PATH: path.dirname(process.execPath) } });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/gone\s+failed\s+command "no-such-command-here" was not found: it is not installed or not on PATH/);
    expect(r.stdout).toContain('servers.gone.command');
    expect(r.stdout).toMatch(/py\s+failed\s+command "uvx" was not found: install uv/);
  });

  it("doctor shows a crashed server's own error, not the runtime's version line or a stack frame", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'crash.mjs'), "throw new Error('XERO_CLIENT_ID is invalid: check the Custom Connection');\n");
    const file = writeConfig(dir, { servers: { bad: { command: process.execPath, args: ['crash.mjs'] } }, routing: { embeddings: { provider: 'none' } }, memory: { enabled: false } });
    const r = run(['doctor', '--config', file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('last stderr: Error: XERO_CLIENT_ID is invalid: check the Custom Connection');
    expect(r.stdout).not.toMatch(/last stderr: Node\.js v/);
  });

  it('a .json config is strict JSON, and its errors say JSON with line and column', () => {
    const dir = tempDir();
    const file = path.join(dir, 'claude_desktop_config.json');
    writeConfig(dir, '{\n  "mcpServers": {\n    "a": {"command": "node"},\n  }\n}\n', 'claude_desktop_config.json');
    const r = run(['tools', '--config', file]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/JSON syntax: .* at line 4, column 3 \(a trailing comma/);
    expect(r.stderr).not.toContain('YAML');
  });

  it('YAML errors are shown whole: what, where, and the line', () => {
    const file = writeConfig(tempDir(), 'servers:\n  a: {command: node\n  b: 2\n');
    const r = run(['tools', '--config', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/YAML syntax: .* at line \d+, column \d+:/);
    expect(r.stderr).toContain('b: 2');
    expect(r.stderr).toContain('^');
  });

  it('unknown config keys: did you mean', () => {
    const file = writeConfig(tempDir(), { servers: { a: { command: 'node', timeoutMS: 5 } }, htpp: { port: 1 } });
    const r = run(['doctor', '--config', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('servers.a: unknown key "timeoutMS"; did you mean "timeoutMs"?');
    expect(r.stderr).toContain('(top level): unknown key "htpp"; did you mean "http"?');
  });

  it('the demo leaves no temporary folder behind', async () => {
    const tmp = tempDir('demo-tmp-');
    mkdirSync(tmp, { recursive: true });
    const child = spawn(process.execPath, [CLI, 'demo', '--scenario', 'invoices', '--json'], { cwd: ROOT, env: { ...process.env, TMPDIR: tmp, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(readdirSync(tmp).filter((f) => f.startsWith('mcp-orchestrator-demo-'))).toEqual([]);
  }, 120_000);
});
