// The CLI as a user runs it: doctor on the shipped config without credentials, tools and call
// through the hub, and stdout in stdio mode carrying nothing but JSON-RPC, even after garbage input.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, FIXTURE, ROOT, fixture, startHub, tempDir, writeConfig } from './support/hub.js';

const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(XERO|CLICKUP|TELEGRAM)_/.test(k)));

describe('cli', () => {
  it('doctor on the shipped config, without credentials, says which variables to set', () => {
    const run = spawnSync(process.execPath, [CLI, 'doctor', '--config', path.join(ROOT, 'orchestrator.config.yaml')], { encoding: 'utf8', env: cleanEnv });
    expect(run.status).toBe(0);
    // The report is the result: stdout.
    for (const line of [/xero\s+not-configured\s+set XERO_CLIENT_ID and XERO_CLIENT_SECRET/, /clickup\s+not-configured\s+set CLICKUP_API_TOKEN/, /telegram\s+not-configured\s+set TELEGRAM_BOT_TOKEN/]) {
      expect(run.stdout).toMatch(line);
    }
  });

  it('the shipped config, copied to a folder of its own, finds its servers wherever the packages are installed', () => {
    const dir = tempDir();
    copyFileSync(path.join(ROOT, 'orchestrator.config.yaml'), path.join(dir, 'orchestrator.config.yaml'));
    const env = { ...cleanEnv, XERO_CLIENT_ID: 'dummy-id', XERO_CLIENT_SECRET: 'dummy-secret', CLICKUP_API_TOKEN: 'pk_dummy_0123456789', TELEGRAM_BOT_TOKEN: '123456:dummy-token-for-the-test' };
    const run = spawnSync(process.execPath, [CLI, 'doctor', '--json', '--config', path.join(dir, 'orchestrator.config.yaml')], { encoding: 'utf8', env, cwd: dir });
    const report = JSON.parse(run.stdout) as { servers: Array<{ name: string; state: string; tools: number }> };
    expect(report.servers.map((s) => `${s.name}:${s.state}`).sort()).toEqual(['clickup:ready', 'telegram:ready', 'xero:ready']);
    // A package that is not installed is named, with the command that installs it, and not retried.
    const file = writeConfig(dir, { servers: { nope: { package: '@nobody/not-a-server' } }, routing: { embeddings: { provider: 'none' } } }, 'missing.yaml');
    const missing = spawnSync(process.execPath, [CLI, 'doctor', '--config', file], { encoding: 'utf8', env: cleanEnv });
    expect(missing.status).toBe(1);
    expect(missing.stdout).toMatch(/nope\s+failed\s+package "@nobody\/not-a-server" of servers\.nope is not installed: npm install @nobody\/not-a-server/);
  });

  it('doctor exits non-zero and names the fix when an enabled server fails', () => {
    const dir = tempDir();
    const file = writeConfig(dir, { servers: { ok: fixture('ok'), gone: { command: 'no-such-command-here' } } });
    const run = spawnSync(process.execPath, [CLI, 'doctor', '--config', file], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/ok\s+ready\s+\d+/);
    expect(run.stdout).toMatch(/gone\s+failed.*command "no-such-command-here" was not found/);
  });

  it('tools --json and call print machine output on stdout', () => {
    const dir = tempDir();
    const file = writeConfig(dir, { servers: { alpha: fixture('alpha'), beta: fixture('beta') } });
    const tools = spawnSync(process.execPath, [CLI, 'tools', '--server', 'beta', '--json', '--config', file], { encoding: 'utf8' });
    expect(tools.status).toBe(0);
    const listed = JSON.parse(tools.stdout) as Array<{ name: string }>;
    expect(listed.map((t) => t.name)).toContain('beta__echo');
    expect(listed.every((t) => t.name.startsWith('beta__'))).toBe(true);
    const call = spawnSync(process.execPath, [CLI, 'call', 'alpha__add', '{"a": 2, "b": 40}', '--json', '--config', file], { encoding: 'utf8' });
    expect(call.status).toBe(0);
    expect(JSON.parse(call.stdout).structuredContent).toEqual({ sum: 42 });
    const bad = spawnSync(process.execPath, [CLI, 'call', 'alpha__add', '{"a": 2}', '--config', file], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('missing required field `b`');
  });

  it('search prints ranked tools', () => {
    const file = writeConfig(tempDir(), { servers: { maths: fixture('maths') }, routing: { embeddings: { provider: 'none' } } });
    const run = spawnSync(process.execPath, [CLI, 'search', 'add two numbers', '--limit', '2', '--json', '--config', file], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const { tools } = JSON.parse(run.stdout) as { tools: Array<{ name: string; server: string; score: number }> };
    expect(tools).toHaveLength(2);
    expect(tools[0]).toMatchObject({ name: 'maths__add', server: 'maths' });
    expect(tools[0].score).toBeGreaterThan(tools[1].score);
    const bad = spawnSync(process.execPath, [CLI, 'search', 'x', '--limit', 'zero', '--config', file], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--limit must be a whole number');
  });

  it('refuses to change workflows beside a serving hub that owns them, and allows it once the hub is gone', async () => {
    const file = writeConfig(tempDir(), { servers: { alpha: fixture('alpha') }, routing: { embeddings: { provider: 'none' } }, memory: { enabled: false } });
    const hub = await startHub('stdio', file);
    const args = [CLI, 'workflows', 'pause', 'nightly', '--config', file];
    try {
      const refused = spawnSync(process.execPath, args, { encoding: 'utf8' });
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/a hub \(pid \d+\) is serving .* use its pause_workflow tool, or stop it first/);
    } finally {
      await hub.close();
    }
    const after = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(after.stderr).not.toContain('is serving');
    expect(after.stdout + after.stderr).toContain('nightly');
  });

  it('serve over stdio writes only JSON-RPC to stdout and survives malformed input', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, { servers: { alpha: { command: process.execPath, args: [FIXTURE], env: { FIXTURE_NAME: 'alpha', FIXTURE_SECRET: 'noisy-secret' } } } });
    const child = spawn(process.execPath, [CLI, 'serve', '--config', file], { env: { ...process.env, ORCHESTRATOR_LOG_LEVEL: 'debug' } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const send = (m: unknown) => child.stdin.write(typeof m === 'string' ? `${m}\n` : `${JSON.stringify(m)}\n`);
    const response = (id: number) =>
      new Promise<any>((resolve) => {
        const check = () => {
          const found = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.id === id);
          if (found) resolve(found);
          else setTimeout(check, 20);
        };
        check();
      });
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    await response(1);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send('this is not json {');
    send({ jsonrpc: '2.0', id: 2, method: 'no/such/method' });
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'alpha__echo', arguments: { message: 'after garbage' } } });
    expect((await response(2)).error.code).toBe(-32601);
    expect((await response(3)).result.content[0].text).toBe('alpha: after garbage');
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines.every((l) => JSON.parse(l).jsonrpc === '2.0')).toBe(true);
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.stdin.end();
    expect(await exited).toBe(0);
  });
});
