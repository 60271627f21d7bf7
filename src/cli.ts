#!/usr/bin/env node
// mcp-orchestrator: the command line. Human output goes to stderr, --json output to stdout, and in
// `serve` (stdio) stdout carries nothing but the MCP protocol.
import { detachedCaller, localPrincipal } from './access/principal.js';
import { Command, Option } from 'commander';
import { ConfigError, loadConfigFile, resolveConfigPath, type LoadedConfig } from './config/load.js';
import { Hub, type HubOptions } from './hub.js';
import { logger, setConsoleLevel, setLogLevel, addLogFile } from './log/logger.js';
import { serveHttp } from './server/http.js';
import { unsafeBinding } from './server/auth.js';
import { serveStdio } from './server/stdio.js';
import { doctorReport } from './cli/doctor.js';
import { SEED_TASK, startDemoApps } from './cli/demo.js';
import { schedulingOwner } from './workflows/index.js';
import { describeRun, progressLine } from './cli/run-output.js';
import type { Approver, RunResult } from './planner/index.js';
import { createInterface } from 'node:readline/promises';
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
  .action(async (opts: ServeOptions) => serve(loadConfig(), opts, { watch: true, schedule: true, memory: true }));

interface ServeOptions {
  http?: boolean;
  host?: string;
  port?: number;
}

async function serve(loaded: LoadedConfig, opts: ServeOptions, hubOptions: HubOptions, extra: { banner?: string[]; onStop?: () => Promise<void> } = {}): Promise<void> {
  const http = { ...loaded.config.http, ...(opts.host ? { host: opts.host } : {}), ...(opts.port !== undefined ? { port: opts.port } : {}) };
  // Before anything starts: an open endpoint on a reachable address is refused with the reason.
  const unsafe = opts.http ? unsafeBinding(http) : undefined;
  if (unsafe) throw new UsageError(unsafe);
  const hub = await Hub.start(loaded, hubOptions);
  let close: () => Promise<void>;
  let stopAccepting = () => {};
  let stopping = false;
  // Graceful: stop accepting, let calls in flight finish (up to shutdownGraceMs), stop schedules, servers
  // and Chroma (hub.stop), flush the audit and logs. A second signal exits at once.
  const shutdown = async (signal: string) => {
    if (stopping) {
      say(`${signal} again: exiting now`);
      hub.pool.killAll();
      process.exit(1);
    }
    stopping = true;
    // stdin closed: the client is gone and no answer can reach it, so there is nothing to wait for.
    const grace = signal === 'end of input' ? 0 : loaded.config.shutdownGraceMs;
    const log = logger.child({ component: 'shutdown' });
    try {
      stopAccepting();
      if (hub.calls.inFlight > 0) log.info(`${signal}: waiting up to ${grace} ms for ${hub.calls.inFlight} call(s) in flight`);
      if (!(await hub.calls.idle(grace))) log.warn(`${hub.calls.inFlight} call(s) still in flight after ${grace} ms; stopping anyway`);
      await close();
      await hub.stop();
      await extra.onStop?.();
    } catch (err) {
      log.error('error while shutting down', { error: (err as Error).message });
      process.exitCode = 1;
    }
    await flushLogs();
    process.exit(process.exitCode ?? 0);
  };
  if (opts.http) {
    const handle = await serveHttp(hub, http, logger.child({ component: 'http' }));
    close = handle.close;
    stopAccepting = handle.stopAccepting;
    say([banner(hub, handle.url), ...(extra.banner ?? [])].join('\n'));
  } else {
    close = await serveStdio(hub, () => void shutdown('end of input'));
  }
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** Waits (briefly) until winston has written everything, including to a log file. */
function flushLogs(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2000);
    logger.once('finish', () => {
      clearTimeout(timer);
      resolve();
    });
    logger.end();
  });
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
    ...(status.totals.ready === 0 ? ['', '  No app is connected yet: set the variables named above, or try everything offline: npm run demo'] : []),
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
      const result = await hub.callTool(tool, args, { caller: detachedCaller(localPrincipal('cli')) });
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
  .command('run <task>')
  .description('plan a task across the apps and run it, showing each step')
  .option('--dry-run', 'plan and check only; run nothing')
  .option('--yes', 'approve steps that change or delete data without asking')
  .option('--json', 'print the run (plan, steps, summary) as JSON on stdout')
  .action((task: string, opts: { dryRun?: boolean; yes?: boolean; json?: boolean }) =>
    withHub(
      async (hub) => {
        const result = await hub.orchestrator.run(task, {
          dryRun: opts.dryRun,
          caller: detachedCaller(localPrincipal('cli')),
          onProgress: opts.json ? undefined : (p) => say(progressLine(p)),
          approve: approver(opts.yes),
        });
        report(result, opts.json);
        if (result.status === 'needs-approval' && !opts.json) say('Nothing that changes data ran. Run again with --yes to approve.');
      },
      { memory: true },
    ),
  );

/** --yes approves everything; on a terminal the user is asked per step; otherwise the run stops at the first such step. */
function approver(yes: boolean | undefined): Approver | undefined {
  if (yes) return async () => true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return async (r) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(`Step ${r.step} will run ${r.tool}${r.iterations && r.iterations > 1 ? ` ${r.iterations} times` : ''} (${r.reason}). Run it? [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  };
}

function report(result: RunResult, json: boolean | undefined): void {
  if (json) printJson({ runId: result.runId, status: result.status, summary: result.summary, record: result.record, approval: result.approval, issues: result.issues });
  else say(describeRun(result));
  if (result.status !== 'succeeded' && result.status !== 'planned') process.exitCode = 1;
}

const workflows = program.command('workflows').description('scheduled workflows: list, show, run, pause, resume, remove');
workflows
  .command('list', { isDefault: true })
  .option('--json', 'print JSON on stdout')
  .action((opts: { json?: boolean }) =>
    withHub(async (hub) => {
      const list = hub.workflows.list();
      if (opts.json) return void printJson(list);
      say(table(['ID', 'SOURCE', 'STATE', 'SCHEDULE', 'NEXT RUN'], list.map((w) => [w.id, w.source, w.state, w.scheduleText, w.nextRuns[0] ?? ''])));
      say(`\n${list.length} workflows`);
    }, { workflows: true }),
  );
workflows
  .command('show <id>')
  .option('--json', 'print JSON on stdout')
  .action((id: string, opts: { json?: boolean }) =>
    withHub(async (hub) => {
      const w = hub.workflows.get(id, { runs: 10 });
      if (opts.json) return void printJson(w);
      say([`${w.id}: ${w.name} (${w.source}, ${w.state})`, `Schedule: ${w.scheduleText} (cron "${w.schedule}")`, `Next runs: ${w.nextRuns.join(', ') || '-'}`, w.task ? `Task: ${w.task}` : '', w.plan ? `Plan:\n${w.plan.steps.map((s) => `  ${s.id}: ${'tool' in s ? s.tool : 'model step'}`).join('\n')}` : '', 'Recent runs:', ...w.runs.map((r) => `  ${r.startedAt} ${r.trigger} ${r.status}${r.error ? `: ${r.error}` : ''}`)].filter(Boolean).join('\n'));
    }, { workflows: true }),
  );
workflows
  .command('run <id>')
  .option('--json', 'print the run as JSON on stdout')
  .action((id: string, opts: { json?: boolean }) =>
    withHub(async (hub) => {
      refuseBesideScheduler(hub, 'run_workflow');
      const run = await hub.workflows.runNow(id, { wait: true });
      if (opts.json) printJson(run);
      else say(`${id}: ${run.status}${run.summary ? `\n${run.summary}` : ''}${run.error ? `\n${run.error}` : ''}`);
      if (run.status !== 'succeeded') process.exitCode = 1;
    }, { workflows: true, memory: true }),
  );
for (const [name, action] of [['pause', 'pause'], ['resume', 'resume'], ['remove', 'remove']] as const) {
  workflows
    .command(`${name} <id>`)
    .option(name === 'resume' ? '--approve' : '--quiet', name === 'resume' ? 'also approve the destructive tools it waits for' : 'print nothing')
    .action((id: string, opts: { approve?: boolean; quiet?: boolean }) =>
      withHub(async (hub) => {
        refuseBesideScheduler(hub, `${action}_workflow`);
        if (action === 'remove') await hub.workflows.remove(id);
        else if (action === 'pause') await hub.workflows.pause(id);
        else await hub.workflows.resume(id, { approveDestructive: opts.approve });
        if (!opts.quiet) say(`${id}: ${action === 'remove' ? 'removed' : hub.workflows.get(id).state}`);
      }, { workflows: true }),
    );
}

/** A serving hub owns the workflow store of its data directory: changing it from here would be lost. */
function refuseBesideScheduler(hub: Hub, tool: string): void {
  const owner = schedulingOwner(hub.dataDir());
  if (owner) throw new UsageError(`a hub (pid ${owner}) is serving ${hub.dataDir()} and owns its workflows: use its ${tool} tool, or stop it first`);
}

program
  .command('memory')
  .description('the memory of past runs and notes')
  .command('search <query>')
  .description('search remembered runs and notes')
  .option('--limit <n>', 'how many results', (v) => positiveInt(v, '--limit'), 10)
  .option('--json', 'print JSON on stdout')
  .action((query: string, opts: { limit: number; json?: boolean }) =>
    withHub(
      async (hub) => {
        const status = hub.memory.status();
        if (status.state !== 'ready') throw new Error(`memory is ${status.state}${status.reason ? `: ${status.reason}` : ''}`);
        const hits = (await hub.memory.search(query, opts.limit)).map(({ record: _r, ...h }) => h);
        if (opts.json) return void printJson(hits);
        say(table(['WHEN', 'KIND', 'STATUS', 'SCORE', 'TEXT'], hits.map((h) => [h.startedAt, h.kind, h.status ?? '', h.similarity?.toFixed(2) ?? '', firstLine(h.text)])));
      },
      { memory: true },
    ),
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
  .addOption(new Option('--scenario <name>', 'run a scenario once and exit instead of serving').choices(['invoices']))
  .option('--llm <url>', 'plan with a real model at this OpenAI-compatible URL instead of the scripted stand-in')
  .option('--json', 'with --scenario: print the run and the mock apps\' final state as one JSON object on stdout')
  .action(async (opts: { host: string; port: number; scenario?: string; llm?: string; json?: boolean }) => {
    if (!program.opts<{ logLevel?: string }>().logLevel) setConsoleLevel(opts.scenario ? 'error' : 'warn');
    const apps = await startDemoApps({ llmUrl: opts.llm });
    if (!opts.scenario) {
      await serve(apps.loaded, { http: true, host: opts.host, port: opts.port }, { memory: true, schedule: true }, {
        banner: ['Offline demo: every app below is a local mock, seeded with Acme Ltd data.', ...apps.describe.map((l) => `  ${l}`), ''],
        onStop: apps.close,
      });
      return;
    }
    const hub = await Hub.start(apps.loaded, { autoRestart: false });
    try {
      if (!opts.json) say([`Scenario: ${SEED_TASK}`, ...apps.describe.map((l) => `  ${l}`), 'Steps that change data are approved automatically in this demo.', ''].join('\n'));
      const result = await hub.orchestrator.run(SEED_TASK, {
        caller: detachedCaller(localPrincipal('demo')),
        onProgress: opts.json ? undefined : (p) => say(progressLine(p)),
        approve: async (r) => {
          if (!opts.json) say(`  approved (demo): ${r.step} -> ${r.tool}`);
          return true;
        },
      });
      if (opts.json) printJson({ model: apps.model, run: result.record, summary: result.summary, apps: apps.snapshot() });
      else {
        const state = apps.snapshot();
        say(`\n${describeRun(result)}\n\nClickUp "Follow-ups" list now: ${state.clickup.followUps.map((t) => t.name).join('; ')}\nTelegram messages sent: ${state.telegram.sent.length}${state.telegram.sent.at(-1)?.text ? `\n---\n${state.telegram.sent.at(-1)!.text}\n---` : ''}`);
      }
      if (result.status !== 'succeeded') process.exitCode = 1;
    } finally {
      await hub.stop();
      await apps.close();
    }
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
