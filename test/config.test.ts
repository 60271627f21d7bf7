// Config loading: interpolation, aliases, defaults, and errors that name the file, the key and the expectation.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../src/config/load.js';
import { CLI, tempDir, writeConfig } from './support/hub.js';

const FILE = '/etc/hub/orchestrator.config.yaml';

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, FILE, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message.startsWith(FILE)).toBe(true);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('fills defaults and infers each transport', () => {
    const { config } = parseConfig(
      'servers:\n  local: {command: node, args: [s.js]}\n  remote: {url: "https://mcp.example.com/mcp"}\n  legacy: {url: "https://old.example.com/sse", transport: sse}\n',
      FILE,
      {},
    );
    expect(config.servers.local).toMatchObject({ transport: 'stdio', enabled: true, timeoutMs: 60_000, env: {}, tools: { overrides: {} } });
    expect(config.servers.remote.transport).toBe('auto');
    expect(config.servers.legacy.transport).toBe('sse');
    expect(config.expose).toEqual({ mode: 'auto', maxTools: 40, pin: [], clients: {} });
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 3333 });
    expect(config.dataDir).toBe('./.orchestrator');
  });

  it('interpolates ${VAR} and ${VAR:-default} from the environment', () => {
    const { config } = parseConfig(
      'servers:\n  a:\n    command: node\n    env: {TOKEN: "${A_TOKEN}", MODE: "${A_MODE:-live}", URL: "x-${A_HOST:-localhost}-y"}\n',
      FILE,
      { A_TOKEN: 'secret-1' },
    );
    expect(config.servers.a.env).toEqual({ TOKEN: 'secret-1', MODE: 'live', URL: 'x-localhost-y' });
  });

  it('skips a server whose variables are unset and names them, without failing the file', () => {
    const loaded = parseConfig('servers:\n  xero:\n    command: node\n    env: {ID: "${XERO_CLIENT_ID}", S: "${XERO_CLIENT_SECRET}"}\n  ok: {command: node}\n', FILE, {});
    expect(loaded.notConfigured).toEqual({ xero: ['XERO_CLIENT_ID', 'XERO_CLIENT_SECRET'] });
    expect(Object.keys(loaded.config.servers)).toEqual(['ok']);
  });

  it('accepts a pasted Claude Desktop / Cursor JSON file (mcpServers, type)', () => {
    const loaded = parseConfig(
      JSON.stringify({ mcpServers: { fs: { command: 'npx', args: ['-y', 'server-fs', '/tmp'] }, remote: { type: 'streamable-http', url: 'http://127.0.0.1:9/mcp' }, off: { command: 'x', disabled: true } } }),
      FILE,
      {},
    );
    expect(loaded.config.servers.fs).toMatchObject({ command: 'npx', transport: 'stdio' });
    expect(loaded.config.servers.remote.transport).toBe('http');
    expect(loaded.config.servers.off.enabled).toBe(false);
  });

  it('names the key path and what was expected', () => {
    expect(problems('servers:\n  a: {command: node, timeoutMs: "soon"}\n')).toEqual([expect.stringMatching(/^servers\.a\.timeoutMs: .*expected number/)]);
    expect(problems('servers:\n  a: {command: node, timeoutMS: 5}\n')).toEqual(['servers.a: unknown key "timeoutMS"; did you mean "timeoutMs"?']);
    expect(problems('servers:\n  a: {args: [x]}\n')).toEqual(['servers.a: needs either `command` (stdio) or `url` (remote)']);
    expect(problems('servers:\n  a: {url: "not a url"}\n')[0]).toMatch(/^servers\.a\.url: /);
    expect(problems('servers:\n  "my server": {command: node}\n')[0]).toMatch(/^servers\.my server: server names use letters/);
    expect(problems('expose: {mode: some}\n')[0]).toMatch(/^expose\.mode: .*"all"\|"search"\|"auto"/);
    expect(problems('http: {port: "${HUB_PORT}"}\n')[0]).toMatch(/^http\.port: .*\(\$\{HUB_PORT\} is not set\)/);
    expect(problems('servers: {a: {command: node}}\nmcpServers: {}\n')).toEqual(['mcpServers: use either `servers` or its alias `mcpServers`, not both']);
    expect(problems('servers:\n  a: [unclosed\n')[0]).toMatch(/^YAML syntax: /);
  });

  it('says where to put a config when the file is missing', () => {
    expect(() => loadConfigFile('/nonexistent/orchestrator.config.yaml')).toThrow(/file not found.*--config PATH.*ORCHESTRATOR_CONFIG/);
  });

  it('makes the CLI exit non-zero with the message on stderr and nothing on stdout', () => {
    const dir = tempDir();
    const file = writeConfig(dir, 'servers:\n  a: {command: node, enabled: "yes"}\n');
    const run = spawnSync(process.execPath, [CLI, 'tools', '--config', file, '--json'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(path.join(dir, 'orchestrator.config.yaml'));
    expect(run.stderr).toMatch(/servers\.a\.enabled: .*expected boolean/);
  });
});
