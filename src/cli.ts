#!/usr/bin/env node
// mcp-orchestrator: the command line. Human output goes to stderr, --json output to stdout, and in
// `serve` (stdio) stdout carries nothing but the MCP protocol.
import { Command, Option } from 'commander';
import { ConfigError, loadConfigFile, resolveConfigPath, type LoadedConfig } from './config/load.js';
import { Hub, type HubOptions } from './hub.js';
import { logger, setConsoleLevel, setLogLevel, addLogFile } from './log/logger.js';
import { serveHttp } from './server/http.js';
import { serveStdio } from './server/stdio.js';
import { doctorReport } from './cli/doctor.js';
import { startDemoApps } from './cli/demo.js';
import { table } from './cli/table.js';

const program = new Command('mcp-orchestrator')
  .description('One MCP endpoint for all your apps.')
  .option('-c, --config <file>', 'config file (default: ./orchestrator.config.yaml or $ORCHESTRATOR_CONFIG)')
  .addOption(new Option('--log-level <level>', 'log level').choices(['error', 'warn', 'info', 'debug']))
  .option('--log-file <file>', 'also write JSON logs to this file');

const say = (text: string) => process.stderr.write(`${text}\n`);
const printJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

function loadConfig(): LoadedConfig {
  const opts = program.opts<{ config?: string; logLevel?: string; logFile?: string }>();
  if (opts.logLevel) setLogLevel(opts.logLevel);
  if (opts.logFile) addLogFile(opts.logFile);
  return loadConfigFile(resolveConfigPath(opts.config));
}

/** One-shot commands: quiet console, no restarts, no watching. */
async function withHub<T>(run: (hub: Hub) => Promise<T>, options: HubOptions = {}): Promise<T> {
  if (!program.opts().logLevel) setConsoleLevel('error');
  const hub = await Hub.start(loadConfig(), { autoRestart: false, ...options });
  try {
    return await run(hub);
  } finally {
    await hub.stop();
  }
}

program
  .command('serve')
  .description('run the hub: stdio by default (for Claude Desktop), Streamable HTTP with --http')
  .option('--http', 'serve Streamable HTTP at http://HOST:PORT/mcp')
  .option('--host <host>', 'HTTP host (default: http.host or 127.0.0.1)')
  .option('--port <port>', 'HTTP port (default: http.port or 3333)', (v) => parsePort(v))
  .action(async (opts: ServeOptions) => serve(loadConfig(), opts, { watch: true }));

interface ServeOptions {
  http?: boolean;
  host?: string;
  port?: number;
}

async function serve(loaded: LoadedConfig, opts: ServeOptions, hubOptions: HubOptions, extra: { banner?: string[]; onStop?: () => Promise<void> } = {}): Promise<void> {
  const hub = await Hub.start(loaded, hubOptions);
  let close: () => Promise<void>;
  let stopping = false;
  const shutdown = async () => {
    if (stopping) process.exit(1); // a second signal forces exit
    stopping = true;
    await close();
    await hub.stop();
    await extra.onStop?.();
    process.exit(0);
  };
  if (opts.http) {
    const http = { ...loaded.config.http, ...(opts.host ? { host: opts.host } : {}), ...(opts.port !== undefined ? { port: opts.port } : {}) };
    const handle = await serveHttp(hub, http, logger.child({ component: 'http' }));
    close = handle.close;
    say([banner(hub, handle.url), ...(extra.banner ?? [])].join('\n'));
  } else {
    close = await serveStdio(hub, () => void shutdown());
  }
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

function banner(hub: Hub, url: string): string {
  const status = hub.status();
  const rows = status.servers.map((s) => [s.name, s.state, s.state === 'ready' ? s.tools : '', s.error ?? '']);
  return [
    '',
    `MCP Orchestrator is serving ${status.totals.tools} tools from ${status.totals.ready}/${status.totals.servers} servers`,
    '',
    table(['SERVER', 'STATE', 'TOOLS', 'NOTE'], rows),
    '',
    `  MCP endpoint:  ${url}   (health: ${url.replace(/\/mcp$/, '/health')})`,
    `  Connect:       npx @modelcontextprotocol/inspector  -> Transport "Streamable HTTP", URL ${url}`,
    `  Claude Desktop uses stdio instead: see README, "Connect a client".`,
    `  Check servers: mcp-orchestrator doctor`,
    '',
  ].join('\n');
}

program
  .command('tools')
  .description('list the catalog')
  .option('--server <name>', 'only this server')
  .option('--json', 'print JSON on stdout')
  .action((opts: { server?: string; json?: boolean }) =>
    withHub(async (hub) => {
      const tools = hub.catalog.tools().filter((t) => !opts.server || t.server === opts.server);
      if (opts.json) {
        printJson(tools.map((t) => t.tool));
        return;
      }
      say(table(['TOOL', 'DESCRIPTION'], tools.map((t) => [t.name, firstLine(t.tool.description)])));
      say(`\n${tools.length} tools${opts.server ? ` from ${opts.server}` : ''}`);
    }),
  );

program
  .command('call <tool> [json-args]')
  .description('call one tool through the hub, e.g. call xero__list-invoices \'{"page":1}\'')
  .option('--json', 'print the whole result as JSON on stdout')
  .action((tool: string, jsonArgs: string | undefined, opts: { json?: boolean }) =>
    withHub(async (hub) => {
      let args: Record<string, unknown> | undefined;
      try {
        args = jsonArgs ? JSON.parse(jsonArgs) : undefined;
      } catch (err) {
        throw new UsageError(`json-args is not valid JSON: ${(err as Error).message}`);
      }
      const result = await hub.callTool(tool, args);
      if (opts.json) printJson(result);
      else for (const c of result.content) say(c.type === 'text' ? c.text : JSON.stringify(c));
      if (result.isError) process.exitCode = 1;
    }),
  );

program
  .command('search <query>')
  .description('find the tools that fit a request (hybrid search over the catalog)')
  .option('--limit <n>', 'how many results', (v) => positiveInt(v, '--limit'), 8)
  .option('--json', 'print JSON on stdout')
  .action((query: string, opts: { limit: number; json?: boolean }) =>
    withHub(async (hub) => {
      // A one-shot search may wait a little for the embedding model; the hub itself never waits.
      await Promise.race([hub.index.ready(), new Promise((r) => setTimeout(r, 30_000).unref())]);
      const hits = await hub.index.search(query, { limit: opts.limit });
      if (opts.json) {
        printJson({ tools: hits });
        return;
      }
      say(table(['SCORE', 'TOOL', 'DESCRIPTION'], hits.map((h) => [h.score.toFixed(3), h.name, firstLine(h.description)])));
      const routing = hub.index.status();
      say(`\n${hits.length} of ${routing.tools} tools (${routing.dense === 'ready' ? 'hybrid: BM25 + embeddings' : `lexical: embeddings ${routing.dense}`})`);
    }),
  );

program
  .command('doctor')
  .description('check the config and every server, and say what to fix')
  .option('--json', 'print the status as JSON on stdout')
  .action((opts: { json?: boolean }) =>
    withHub(async (hub) => {
      const status = hub.status();
      const report = doctorReport(status, hub.loaded.config.servers);
      if (opts.json) printJson(status);
      else say(`Config: ${hub.loaded.file} (valid)\n\n${report.text}`);
      if (report.failed > 0) process.exitCode = 1;
    }),
  );

program
  .command('demo')
  .description('start mock apps (ClickUp, Telegram, Xero) and a hub wired to them, over HTTP: try everything offline')
  .option('--host <host>', 'HTTP host', '127.0.0.1')
  .option('--port <port>', 'HTTP port', (v) => parsePort(v), 3333)
  .action(async (opts: { host: string; port: number }) => {
    const opts0 = program.opts<{ logLevel?: string }>();
    if (!opts0.logLevel) setConsoleLevel('warn');
    const apps = await startDemoApps();
    await serve(apps.loaded, { http: true, host: opts.host, port: opts.port }, {}, {
      banner: ['Offline demo: every app below is a local mock, seeded with Acme Ltd data.', ...apps.describe.map((l) => `  ${l}`), ''],
      onStop: apps.close,
    });
  });

class UsageError extends Error {}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number of at least 1, got "${value}"`);
  return n;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got "${value}"`);
  return port;
}

function firstLine(text: string | undefined): string {
  const line = (text ?? '').split('\n')[0].trim();
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof UsageError) {
    say(err.message);
    process.exit(2);
  }
  say(`mcp-orchestrator: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
