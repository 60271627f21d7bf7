// The package as a user gets it: `npm pack`, then `npm install <tarball>` into an empty project with no
// .npmrc and none of this checkout's npm settings (so onnxruntime-node's install script runs as it would
// for them), then the installed binary: --version, doctor --json, and tools/list over stdio with the SDK
// client. Slow (an npm install): it has its own generous timeouts. `npm test` builds dist/ first.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { pathToFileURL } from 'node:url';
import { startXeroApiMock } from '../mocks/xero-api/index.js';
import { ROOT, tempDir } from './support/hub.js';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string> };
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The environment of a user's shell: none of the npm_* variables `npm test` exports (they carry this checkout's .npmrc). */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^npm_/i.test(k) && !/^ONNXRUNTIME_NODE_INSTALL/i.test(k) && !/^(XERO|CLICKUP|TELEGRAM)_/.test(k))) as Record<string, string>;
  return { ...env, ...extra };
}

let project: string;
let bin: string;
let installMs = 0;
let tarball: string;

beforeAll(() => {
  const out = tempDir('package-install-');
  // --ignore-scripts: `prepare` would rebuild dist/, which `npm test` has just done.
  const packed = JSON.parse(execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', out], { cwd: ROOT, encoding: 'utf8', env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] })) as Array<{ filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> }>;
  tarball = path.join(out, path.basename(packed[0].filename));
  const files = packed[0].files.map((f) => f.path);
  process.stderr.write(`package-install: ${path.basename(tarball)} ${(packed[0].size / 1024).toFixed(0)} kB packed, ${(packed[0].unpackedSize / 1024).toFixed(0)} kB unpacked, ${files.length} files\n`);
  // What the package holds, and what it must not.
  expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'CHANGELOG.md', 'orchestrator.config.yaml', 'dist/src/cli.js', 'dist/ui/index.html', 'dist/mocks/xero-api/preload.js', 'dist/custom-servers/clickup/src/index.js', 'docs/adding-a-server.md']));
  expect(files.filter((f) => /^dist\/(test|bench)\//.test(f) || f === '.npmrc')).toEqual([]);

  project = path.join(out, 'project');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'empty-project', version: '1.0.0', private: true }));
  expect(existsSync(path.join(project, '.npmrc'))).toBe(false);
  const started = Date.now();
  const install = spawnSync(npm, ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project, encoding: 'utf8', env: userEnv(), timeout: 420_000 });
  installMs = Date.now() - started;
  process.stderr.write(`package-install: npm install took ${(installMs / 1000).toFixed(1)} s (exit ${install.status}); @huggingface/transformers ${existsSync(path.join(project, 'node_modules/@huggingface/transformers')) ? 'installed' : 'absent (its optional install failed: lexical search only)'}\n`);
  expect(install.status, `${install.stdout}\n${install.stderr}`).toBe(0);
  bin = path.join(project, 'node_modules/.bin/mcp-orchestrator');
}, 480_000);

let xero: Awaited<ReturnType<typeof startXeroApiMock>> | undefined;

afterAll(async () => {
  await xero?.close();
  if (project) rmSync(path.dirname(project), { recursive: true, force: true });
});

/**
 * A config in the user's project: the official Xero server (a dependency of the package, found by
 * `package:`) on the Xero API mock, through the preload shipped in the package; every tool listed.
 */
async function writeProjectConfig(): Promise<string> {
  xero ??= await startXeroApiMock();
  const preload = path.join(project, 'node_modules', pkg.name, 'dist/mocks/xero-api/preload.js');
  const env = { ...xero.env, NODE_OPTIONS: `--import=${pathToFileURL(preload).href}` };
  const file = path.join(project, 'orchestrator.config.yaml');
  writeFileSync(
    file,
    [
      'servers:',
      '  xero:',
      '    package: "@xeroapi/xero-mcp-server"',
      `    env: ${JSON.stringify(env)}`,
      'expose: {mode: all}',
      'memory: {enabled: false}',
      '',
    ].join('\n'),
  );
  return file;
}

describe('the packed package, installed into an empty project', () => {
  it('has the binary and prints its version', () => {
    expect(existsSync(bin)).toBe(true);
    const run = spawnSync(bin, ['--version'], { cwd: project, encoding: 'utf8', env: userEnv() });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });

  it('runs doctor --json on a config in the project', async () => {
    const config = await writeProjectConfig();
    const run = spawnSync(bin, ['doctor', '--json', '--config', config], { cwd: project, encoding: 'utf8', env: userEnv(), timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout) as { servers: Array<{ name: string; state: string; tools: number }>; routing: { dense: string } };
    expect(status.servers).toEqual([expect.objectContaining({ name: 'xero', state: 'ready', tools: 51 })]);
  }, 150_000);

  it('serves tools/list over stdio, and searches lexically when the model runtime is absent', async () => {
    const config = await writeProjectConfig();
    const transport = new StdioClientTransport({ command: bin, args: ['serve', '--config', config], cwd: project, env: userEnv(), stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const client = new Client({ name: 'package-install-test', version: '1.0.0' });
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['hub_status', 'search_tools', 'call_tool', 'xero__list-invoices']));
      expect(names.filter((n) => n.startsWith('xero__'))).toHaveLength(51);
      const invoices = (await client.callTool({ name: 'xero__list-invoices', arguments: { page: 1 } })) as { content: Array<{ text?: string }> };
      expect(invoices.content[0].text).toBe('Found 10 invoices:');
      const found = (await client.callTool({ name: 'search_tools', arguments: { query: 'unpaid invoices', limit: 3 } })) as { structuredContent?: { tools: Array<{ name: string }> } };
      expect(found.structuredContent?.tools.length).toBeGreaterThan(0);
      if (!existsSync(path.join(project, 'node_modules/@huggingface/transformers'))) {
        // Without the optional runtime the hub still runs and says why search is lexical.
        const status = (await client.callTool({ name: 'hub_status', arguments: {} })) as { structuredContent?: { routing: { dense: string; reason?: string } } };
        const routing = status.structuredContent!.routing;
        expect(routing.dense === 'unavailable' || routing.dense === 'loading', JSON.stringify(routing)).toBe(true);
      }
    } finally {
      await client.close();
    }
    expect(stderr).not.toContain('Cannot find module');
  }, 120_000);
});
