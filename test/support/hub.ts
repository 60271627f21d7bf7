// Test harness: runs the real hub as a child process (stdio or Streamable HTTP) with real downstream
// servers, and connects the official SDK Client to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, type ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(ROOT, 'dist/src/cli.js');
export const FIXTURE = path.join(ROOT, 'dist/test/fixtures/fixture-server.js');
export type Mode = 'stdio' | 'http';

export function tempDir(prefix = 'hub-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function writeConfig(dir: string, config: unknown, name = 'orchestrator.config.yaml'): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof config === 'string' ? config : stringify(config));
  return file;
}

/** A fixture server entry for the config. */
export function fixture(name: string, extra: { env?: Record<string, string>; [key: string]: unknown } = {}) {
  const { env, ...rest } = extra;
  return { command: process.execPath, args: [FIXTURE], env: { FIXTURE_NAME: name, ...env }, ...rest };
}

export interface HubHandle {
  client: Client;
  stderr: () => string;
  url?: string;
  child?: ChildProcess;
  close(): Promise<void>;
}

export interface StartOptions {
  capabilities?: ClientCapabilities;
  /** Answers sampling requests when the client declares sampling. */
  sample?: (prompt: string) => string;
  env?: Record<string, string>;
  onNotification?: (method: string, params: unknown) => void;
  /** The name the client gives in initialize (clientInfo.name); default `test-client`. */
  clientName?: string;
}

export async function startHub(mode: Mode, configFile: string, options: StartOptions = {}): Promise<HubHandle> {
  const capabilities = options.capabilities ?? { sampling: {}, elicitation: {} };
  const client = new Client({ name: options.clientName ?? 'test-client', version: '1.0.0' }, { capabilities });
  if (capabilities.sampling) {
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      const first = request.params.messages[0]?.content;
      const prompt = first && 'text' in first ? String(first.text) : '';
      return { role: 'assistant', model: 'test-model', content: { type: 'text', text: options.sample?.(prompt) ?? 'sampled' } };
    });
  }
  if (capabilities.elicitation) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => ({ action: 'accept', content: { ok: request.params.message.includes('?') } }));
  }
  client.fallbackNotificationHandler = async (n) => options.onNotification?.(n.method, n.params);
  const env = { ...(process.env as Record<string, string>), ORCHESTRATOR_LOG_LEVEL: 'debug', ...options.env };

  if (mode === 'stdio') {
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'serve', '--config', configFile], env, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await client.connect(transport);
    return { client, stderr: () => stderr, close: () => client.close() };
  }

  const child = spawn(process.execPath, [CLI, 'serve', '--http', '--port', '0', '--config', configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start:\n${stderr}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const match = /MCP endpoint:\s+(http:\/\/\S+\/mcp)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`hub exited with ${code}:\n${stderr}`)));
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return {
    client,
    url,
    child,
    stderr: () => stderr,
    async close() {
      await client.close();
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      if (stdout.trim()) throw new Error(`hub wrote to stdout in HTTP mode: ${stdout}`);
    },
  };
}

/** Polls until check() returns a truthy value (for state in other processes, which sends no event). */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

export function readEvents(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export function text(result: { content?: unknown }): string {
  return ((result.content as Array<{ type: string; text?: string }>) ?? []).map((c) => c.text ?? '').join('\n');
}

export async function hubStatus(client: Client): Promise<{ servers: Array<{ name: string; state: string; tools: number; restarts: number; error?: string }> }> {
  const result = await client.callTool({ name: 'hub_status', arguments: {} });
  return result.structuredContent as never;
}
