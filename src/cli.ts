#!/usr/bin/env node
// mcp-orchestrator (npm package mcp-orchestrator-hub): the command line. Results go to stdout (tables for
// people, --json for scripts), diagnostics (progress, warnings, errors, hints) to stderr; in `serve`
// (stdio) stdout carries nothing but the MCP protocol. Exit codes: 0 done, 1 failed (a tool error, a
// failed run, a failing server in doctor, an unexpected error), 2 the command line or the config needs a
// change (a bad flag or argument, an invalid config file, a port in use, workflows owned by a serving hub).
// The hub and its parts are imported when a command needs them, so --version and --help answer at once.
import { localPrincipal } from './access/principal.js';
import { detachedCaller } from './access/caller.js';
import { Command, Option } from 'commander';
import type { LoadedConfig } from './config/load.js';
import type { Hub, HubOptions, StartingServers } from './hub.js';
import type { Approver, RunResult } from './planner/index.js';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { createInterface } from 'node:readline/promises';
import path from 'node:path';
import { table } from './cli/table.js';
import { BIN, PACKAGE_NAME, packageVersion } from './cli/package.js';
import { portInUseMessage } from './cli/port.js';
import { cliHints } from './cli/hints.js';

const program = new Command(BIN)
  .description(`One MCP endpoint for all your apps. (npm package: ${PACKAGE_NAME})`)
  .version(packageVersion(), '-V, --version', 'print the version')
  .option('-c, --config <file>', 'config file (default: ./orchestrator.config.yaml or $ORCHESTRATOR_CONFIG)')
  .addOption(new Option('--log-level <level>', 'log level').choices(['error', 'warn', 'info', 'debug']))
  .option('--log-file <file>', 'also write JSON logs to this file');

/** Diagnostics: progress, warnings, hints, errors (stderr). */
const say = (text: string) => process.stderr.write(`${cliHints(text)}\n`);
/** Results: what the command was asked for (stdout), so `| grep` and `> file` capture it. */
const out = (text: string) => process.stdout.write(`${text}\n`);
const printJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

async function loadConfig(): Promise<LoadedConfig> {
  const opts = program.opts<{ config?: string; logLevel?: string; logFile?: string }>();
  const { setLogLevel, addLogFile } = await import('./log/logger.js');
  if (opts.logLevel) setLogLevel(opts.logLevel);
  if (opts.logFile) addLogFile(opts.logFile);
  const { loadConfigFile, resolveConfigPath } = await import('./config/load.js');
  return loadConfigFile(resolveConfigPath(opts.config));
}

interface OneShot extends HubOptions {
  /** This command does not search: do not load (or download) an embedding model for it. */
  noEmbeddings?: boolean;
}

/** One-shot commands: quiet console, no restarts, no watching; memory, workflows and the model only when asked. */
async function withHub<T>(run: (hub: Hub) => Promise<T>, options: OneShot = {}): Promise<T> {
  const { setConsoleLevel } = await import('./log/logger.js');
  if (!program.opts().logLevel) setConsoleLevel('error');
  const { noEmbeddings, ...hubOptions } = options;
  let loaded = await loadConfig();
  if (noEmbeddings) loaded = withoutEmbeddings(loaded);
  const { Hub } = await import('./hub.js');
  const hub = await Hub.start(loaded, { autoRestart: false, ...hubOptions });
  try {
    return await run(hub);
  } finally {
    await hub.stop();
  }
}

function withoutEmbeddings(loaded: LoadedConfig): LoadedConfig {
  const { routing } = loaded.config;
  return { ...loaded, config: { ...loaded.config, routing: { ...routing, embeddings: { ...routing.embeddings, provider: 'none' } } } };
}

program
  .command('serve')
  .description('run the hub: stdio by default (for Claude Desktop), Streamable HTTP with --http')
  .option('--http', 'serve Streamable HTTP at http://HOST:PORT/mcp')
  .option('--host <host>', 'HTTP host (default: http.host or 127.0.0.1)')
  .option('--port <port>', 'HTTP port (default: http.port or 3333)', (v) => parsePort(v))
  .action(async (opts: ServeOptions) => serve(await loadConfig(), opts, { watch: true, schedule: true, memory: true }));

interface ServeOptions {
  http?: boolean;
  host?: string;
  port?: number;
}

/**
 * The downstream servers, started as soon as the config is read: they spawn and initialize while the
 * hub's own modules load (about as long as a server takes to start), instead of after. The hub adopts
 * the pool; until it exists no session can answer a server's roots/list.
 */
async function startServers(loaded: LoadedConfig, hubOptions: HubOptions, localCaller: () => ReturnType<Hub['localCaller']>): Promise<StartingServers> {
  const [{ DownstreamPool }, { childLogger }] = await Promise.all([import('./downstream/pool.js'), import('./log/logger.js')]);
  const pool = new DownstreamPool({ log: childLogger('downstream'), autoRestart: hubOptions.autoRestart ?? true, fallbackCaller: localCaller });
  const applied = pool.apply(loaded);
  // Awaited by Hub.start (which sees a failure); until then a rejection is not "unhandled".
  applied.catch(() => undefined);
  return { pool, applied };
}

async function serve(
  loaded: LoadedConfig,
  opts: ServeOptions,
  hubOptions: HubOptions,
  extra: { banner?: string[]; onStop?: () => Promise<void>; portSetting?: string; onServing?: (hub: Hub) => void } = {},
): Promise<void> {
  const { unsafeBinding } = await import('./server/auth.js');
  const http = { ...loaded.config.http, ...(opts.host ? { host: opts.host } : {}), ...(opts.port !== undefined ? { port: opts.port } : {}) };
  // Before anything starts: an open endpoint on a reachable address is refused with the reason.
  const unsafe = opts.http ? unsafeBinding(http) : undefined;
  if (unsafe) throw new UsageError(unsafe);
  let started: Hub | undefined;
  const servers = await startServers(loaded, hubOptions, () => started?.localCaller());
  const [{ Hub }, { logger }] = await Promise.all([import('./hub.js'), import('./log/logger.js')]);
  // The embedding model loads after the hub is ready: the first requests are answered before it competes for the CPU.
  const hub = (started = await Hub.start(loaded, { ...hubOptions, servers, modelAfterReady: true }));
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
      // Requests waiting for a client's answers (input_required) cannot finish: their retry would be refused.
      hub.dropWaitingRequests();
      if (hub.calls.inFlight > 0) log.info(`${signal}: waiting up to ${grace} ms for ${hub.calls.inFlight} call(s) in flight`, { tools: hub.calls.inFlightTools() });
      if (!(await hub.calls.idle(grace))) log.warn(`${hub.calls.inFlight} call(s) still in flight after ${grace} ms; stopping anyway`);
      // A call counts as finished just before its answer is written: let the last answers out before the transports close.
      await new Promise((resolve) => setTimeout(resolve, 100));
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
    const { serveHttp } = await import('./server/http.js');
    let handle: Awaited<ReturnType<typeof serveHttp>>;
    try {
      handle = await serveHttp(hub, http, logger.child({ component: 'http' }));
    } catch (err) {
      await hub.stop();
      await extra.onStop?.();
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        const setting = opts.port !== undefined ? '--port' : (extra.portSetting ?? `--port, or http.port in ${loaded.file}`);
        throw new UsageError(portInUseMessage(http.host, http.port, setting));
      }
      if ((err as NodeJS.ErrnoException).code === 'EACCES') throw new UsageError(`not allowed to listen on ${http.host}:${http.port} (ports below 1024 need privileges): choose another with --port or http.port`);
      if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') throw new UsageError(`${http.host} is not an address of this machine: fix --host or http.host`);
      throw err;
    }
    close = handle.close;
    stopAccepting = handle.stopAccepting;
    say([banner(hub, handle.url, handle.consoleUrl, extra.banner !== undefined), ...(extra.banner ?? [])].join('\n'));
    extra.onServing?.(hub);
  } else {
    const { serveStdio } = await import('./server/stdio.js');
    close = await serveStdio(hub, () => void shutdown('end of input'));
  }
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** Waits (briefly) until winston has written everything, including to a log file. */
async function flushLogs(): Promise<void> {
  const { logger } = await import('./log/logger.js');
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2000);
    logger.once('finish', () => {
      clearTimeout(timer);
      resolve();
    });
    logger.end();
  });
}

function banner(hub: Hub, url: string, consoleUrl: string | undefined, extra = false): string {
  const status = hub.status();
  const rows = status.servers.map((s) => [s.name, s.state, s.state === 'ready' ? s.tools : '', s.error ?? '']);
  return [
    '',
    `MCP Orchestrator is serving ${status.totals.tools} tools from ${status.totals.ready}/${status.totals.servers} servers`,
    '',
    table(['SERVER', 'STATE', 'TOOLS', 'NOTE'], rows),
    '',
    `  MCP endpoint:  ${url}   (health: ${url.replace(/\/mcp$/, '/health')})`,
    consoleUrl ? `  Console:       ${consoleUrl}   (REST API: ${url.replace(/\/mcp$/, '/api/v1')}, described at /api/v1/openapi.json)` : `  REST API:      ${url.replace(/\/mcp$/, '/api/v1')}   (the console is not built: npm run build)`,
    `  Connect:       npx @modelcontextprotocol/inspector  -> Transport "Streamable HTTP", URL ${url}`,
    `  Claude Desktop uses stdio instead: see README, "Connect a client".`,
    `  Check servers: ${BIN} doctor`,
    ...(hub.listedTools().length < status.totals.tools
      ? [
          `  Tools listed:  the hub's own tools only: ${status.totals.tools} app tools are more than expose.maxTools (${hub.loaded.config.expose.maxTools}), so clients find them`,
          `                 with search_tools and run them with call_tool. To list them all: expose.mode: all in the config${extra ? ' (or --expose all)' : ''}.`,
        ]
      : []),
    ...(status.totals.ready === 0 ? ['', `  No app is connected yet: set the variables named above, or try everything offline: ${BIN} demo (npx ${PACKAGE_NAME} demo)`] : []),
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
      out(table(['TOOL', 'DESCRIPTION'], tools.map((t) => [t.name, firstLine(t.tool.description)])));
      say(`${tools.length} tools${opts.server ? ` from ${opts.server}` : ''}; the hub's own tools: ${hub.metaTools().map((m) => m.name).join(', ')}`);
    }, { noEmbeddings: true }),
  );

program
  .command('call <tool> [json-args]')
  .description('call one tool through the hub, an app\'s (xero__list-invoices \'{"page":1}\') or the hub\'s own (hub_status, search_tools, ...)')
  .option('--json', 'print the whole result as JSON on stdout')
  .action(async (tool: string, jsonArgs: string | undefined, opts: { json?: boolean }) => {
    let args: Record<string, unknown> | undefined;
    try {
      args = jsonArgs ? JSON.parse(jsonArgs) : undefined;
    } catch (err) {
      throw new UsageError(`json-args is not valid JSON: ${(err as Error).message}`);
    }
    if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) throw new UsageError(`json-args must be a JSON object, e.g. '{"page": 1}'`);
    // A hub tool has no "__"; start only what it needs (memory for planning and memory tools, the workflow store for workflow tools).
    const meta = !tool.includes('__');
    const needs: OneShot = !meta
      ? { noEmbeddings: true }
      : /workflow/.test(tool)
        ? { workflows: true, memory: true }
        : /^(orchestrate|plan_task|run_plan|memory_)|conversation/.test(tool)
          ? { memory: true }
          : /^search_tools$/.test(tool)
            ? {}
            : { noEmbeddings: true };
    await withHub(async (hub) => {
      const result = meta && hub.isMetaTool(tool) ? await callMetaTool(hub, tool, args) : await hub.callTool(tool, args, { caller: detachedCaller(localPrincipal('cli')) });
      if (opts.json) printJson(result);
      else {
        const text = result.content.map((c) => (c.type === 'text' ? c.text : JSON.stringify(c))).join('\n');
        // A tool error is a diagnostic; a result is output.
        if (result.isError) say(text);
        else out(text);
      }
      if (result.isError) process.exitCode = 1;
    }, needs);
  });

/** A hub tool, as an MCP client would call it: the same access check, the same audit, run as the local user. */
async function callMetaTool(hub: Hub, name: string, args: Record<string, unknown> | undefined): Promise<CallToolResult> {
  const [{ allowsMetaTool, metaToolRefusal }, { runMetaTool }, { toolError }] = await Promise.all([import('./access/policy.js'), import('./server/meta-tools.js'), import('./catalog/catalog.js')]);
  const meta = hub.metaTools().find((t) => t.name === name)!;
  const caller = detachedCaller(localPrincipal('cli'));
  if (!meta.annotations?.readOnlyHint && /workflow/.test(name)) await refuseBesideScheduler(hub, name);
  if (name === 'search_tools') await Promise.race([hub.index.ready(), new Promise((r) => setTimeout(r, 30_000).unref())]);
  const finish = hub.track({ kind: 'meta', tool: name, known: true, client: caller.principal.name, args });
  if (!allowsMetaTool(caller.principal, meta)) {
    finish('refused', 'outside the token scope');
    return toolError(metaToolRefusal(caller.principal, meta));
  }
  const result = await runMetaTool(meta, args, { hub, call: { caller } });
  finish(result.isError ? 'error' : 'ok');
  return result;
}

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
      out(table(['SCORE', 'TOOL', 'DESCRIPTION'], hits.map((h) => [h.score.toFixed(3), h.name, firstLine(h.description)])));
      const routing = hub.index.status();
      say(`${hits.length} of ${routing.tools} tools (${routing.dense === 'ready' ? 'hybrid: BM25 + embeddings' : `lexical: embeddings ${routing.dense}`})`);
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
        const { describeRun, progressLine } = await import('./cli/run-output.js');
        const result = await hub.orchestrator.run(task, {
          dryRun: opts.dryRun,
          caller: detachedCaller(localPrincipal('cli')),
          onProgress: opts.json ? undefined : (p) => say(progressLine(p)),
          approve: approver(opts.yes),
        });
        report(result, opts.json, describeRun);
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

function report(result: RunResult, json: boolean | undefined, describeRun: (r: RunResult) => string): void {
  if (json) printJson({ runId: result.runId, status: result.status, summary: result.summary, record: result.record, approval: result.approval, issues: result.issues });
  else out(describeRun(result));
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
      out(table(['ID', 'SOURCE', 'STATE', 'SCHEDULE', 'NEXT RUN'], list.map((w) => [w.id, w.source, w.state, w.scheduleText, w.nextRuns[0] ?? ''])));
      say(`${list.length} workflows`);
    }, { workflows: true, noEmbeddings: true }),
  );
workflows
  .command('show <id>')
  .option('--json', 'print JSON on stdout')
  .action((id: string, opts: { json?: boolean }) =>
    withHub(async (hub) => {
      const w = hub.workflows.get(id, { runs: 10 });
      if (opts.json) return void printJson(w);
      out([`${w.id}: ${w.name} (${w.source}, ${w.state})`, `Schedule: ${w.scheduleText} (cron "${w.schedule}")`, `Next runs: ${w.nextRuns.join(', ') || '-'}`, w.task ? `Task: ${w.task}` : '', w.plan ? `Plan:\n${w.plan.steps.map((s) => `  ${s.id}: ${'tool' in s ? s.tool : 'model step'}`).join('\n')}` : '', 'Recent runs:', ...w.runs.map((r) => `  ${r.startedAt} ${r.trigger} ${r.status}${r.error ? `: ${r.error}` : ''}`)].filter(Boolean).join('\n'));
    }, { workflows: true, noEmbeddings: true }),
  );
workflows
  .command('run <id>')
  .option('--json', 'print the run as JSON on stdout')
  .action((id: string, opts: { json?: boolean }) =>
    withHub(async (hub) => {
      await refuseBesideScheduler(hub, 'run_workflow');
      const run = await hub.workflows.runNow(id, { wait: true });
      if (opts.json) printJson(run);
      else out(`${id}: ${run.status}${run.summary ? `\n${run.summary}` : ''}${run.error ? `\n${run.error}` : ''}`);
      if (run.status !== 'succeeded') process.exitCode = 1;
    }, { workflows: true, memory: true }),
  );
for (const [name, action] of [['pause', 'pause'], ['resume', 'resume'], ['remove', 'remove']] as const) {
  workflows
    .command(`${name} <id>`)
    .option(name === 'resume' ? '--approve' : '--quiet', name === 'resume' ? 'also approve the destructive tools it waits for' : 'print nothing')
    .action((id: string, opts: { approve?: boolean; quiet?: boolean }) =>
      withHub(async (hub) => {
        await refuseBesideScheduler(hub, `${action}_workflow`);
        if (action === 'remove') await hub.workflows.remove(id);
        else if (action === 'pause') await hub.workflows.pause(id);
        else await hub.workflows.resume(id, { approveDestructive: opts.approve });
        if (!opts.quiet) out(`${id}: ${action === 'remove' ? 'removed' : hub.workflows.get(id).state}`);
      }, { workflows: true, noEmbeddings: true }),
    );
}

/** A serving hub owns the workflow store of its data directory: changing it from here would be lost. */
async function refuseBesideScheduler(hub: Hub, tool: string): Promise<void> {
  const { schedulingOwner } = await import('./workflows/index.js');
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
        out(table(['WHEN', 'KIND', 'STATUS', 'SCORE', 'TEXT'], hits.map((h) => [h.startedAt, h.kind, h.status ?? '', h.similarity?.toFixed(2) ?? '', firstLine(h.text)])));
      },
      { memory: true },
    ),
  );

/** The conversations of the hub's data directory, as the local user (who sees every one); no servers are started. */
async function withConversations<T>(run: (c: import('./planner/index.js').Conversations) => T): Promise<T> {
  const loaded = await loadConfig();
  const [{ openDatabase, DATABASE_FILE }, { Conversations }] = await Promise.all([import('./storage/database.js'), import('./planner/index.js')]);
  const db = openDatabase(path.join(path.resolve(loaded.baseDir, loaded.config.dataDir), DATABASE_FILE));
  try {
    return run(new Conversations(() => db, loaded.config.orchestrate.conversations.retentionDays));
  } finally {
    db.close();
  }
}

const conversations = program.command('conversations').description('conversations: requests that share a conversationId (orchestrate, run_plan, plan_task)');
conversations
  .command('list', { isDefault: true })
  .description('list conversations, most recent first')
  .option('--limit <n>', 'how many', (v) => positiveInt(v, '--limit'), 50)
  .option('--json', 'print JSON on stdout')
  .action((opts: { limit: number; json?: boolean }) =>
    withConversations((c) => {
      const list = c.list(localPrincipal('cli'), opts.limit);
      if (opts.json) return void printJson(list);
      if (!list.length) return void say('No conversations.');
      out(table(['ID', 'OWNER', 'UPDATED', 'REQUESTS', 'FIRST TASK'], list.map((x) => [x.id, x.owner, x.updated, String(x.turns), x.title])));
    }),
  );
conversations
  .command('show <id>')
  .description('show one conversation: each request with its plan, step results and outcome')
  .option('--json', 'print JSON on stdout')
  .action((id: string, opts: { json?: boolean }) =>
    withConversations((c) => {
      const turns = c.turns(id, localPrincipal('cli'));
      if (!turns) throw new UsageError(`no conversation "${id}": \`${BIN} conversations list\` shows them`);
      if (opts.json) return void printJson({ id, turns });
      out(c.render(turns) || 'No requests yet.');
    }),
  );
conversations
  .command('remove <id>')
  .description('forget one conversation (its runs stay in memory and the run history)')
  .action((id: string) =>
    withConversations((c) => {
      if (!c.remove(id, localPrincipal('cli'))) throw new UsageError(`no conversation "${id}": \`${BIN} conversations list\` shows them`);
      say(`Removed conversation ${id}.`);
    }),
  );

program
  .command('doctor')
  .description('check the config and every server, and say what to fix')
  .option('--json', 'print the status as JSON on stdout')
  .action((opts: { json?: boolean }) =>
    withHub(async (hub) => {
      const [{ doctorReport }, { embeddingReport }, { resolveModel }, { DEFAULT_MODELS }] = await Promise.all([import('./cli/doctor.js'), import('./status.js'), import('./routing/model-store.js'), import('./routing/embedder.js')]);
      // Give the embedding model a moment, so the report says whether it loaded.
      await Promise.race([hub.index.ready(), new Promise((r) => setTimeout(r, 30_000).unref())]);
      const status = hub.status();
      const { manifest: _m, ...source } = resolveModel(hub.loaded.config.routing.embeddings, { defaultModel: DEFAULT_MODELS.transformers, cacheDir: path.join(hub.dataDir(), 'models') });
      const embeddings = embeddingReport(hub.index.status(), source.kind === 'none' ? undefined : source);
      const report = doctorReport(status, hub.loaded.config.servers, embeddings);
      if (opts.json) printJson({ ...status, embeddings });
      else out(`Config: ${hub.loaded.file} (valid)\n\n${report.text}`);
      if (report.failed > 0) process.exitCode = 1;
    }),
  );

const models = program.command('models').description('embedding models: the per-machine model store and what a config loads');
models
  .command('list', { isDefault: true })
  .description('models in the store and in the hub\'s Hugging Face cache, and which one this config loads (and why)')
  .option('--json', 'print JSON on stdout')
  .action(async (opts: { json?: boolean }) => {
    const { modelsListing, modelsListingText } = await import('./cli/models.js');
    const { loaded, exists } = await loadConfigOrDefaults();
    const listing = modelsListing(loaded, exists);
    if (opts.json) printJson(listing);
    else out(modelsListingText(listing));
  });
models
  .command('import <path>')
  .description('add a model to the store: a transformers.js folder (config.json, tokenizer.json, onnx/model*.onnx), or a .whl / .zip / .tar.gz / .tgz holding one')
  .option('--name <name>', 'store it under this name (default: the folder\'s name)')
  .option('--force', 'replace a model of the same name')
  .option('--json', 'print the result as JSON on stdout')
  .action(async (source: string, opts: { name?: string; force?: boolean; json?: boolean }) => {
    const [{ importModel, ImportRefused }, { probeModel }] = await Promise.all([import('./routing/model-import.js'), import('./cli/models.js')]);
    try {
      const result = await importModel(source, { name: opts.name, force: opts.force, log: say, probe: (dir, dtype) => probeModel(dir, dtype, say) });
      if (opts.json) return void printJson(result);
      out(`imported ${result.name} into ${result.path} (${result.dtypes.join(', ')}${result.dimension ? `; vectors of ${result.dimension}` : ''})`);
      say(`hubs whose config names no embedding model (routing.embeddings.model / localPath) load it from the store; \`${BIN} models list\` shows which model a config loads`);
    } catch (err) {
      if (err instanceof ImportRefused) throw new UsageError(err.message);
      throw err;
    }
  });

/** The config, or (when no file was named and the default one is absent) the defaults. */
async function loadConfigOrDefaults(): Promise<{ loaded: LoadedConfig; exists: boolean }> {
  const { existsSync } = await import('node:fs');
  const { parseConfig, resolveConfigPath } = await import('./config/load.js');
  const given = program.opts<{ config?: string }>().config ?? process.env.ORCHESTRATOR_CONFIG;
  const file = resolveConfigPath(given);
  if (!given && !existsSync(file)) return { loaded: parseConfig('{}', file), exists: false };
  return { loaded: await loadConfig(), exists: true };
}

program
  .command('demo')
  .description('start mock apps (ClickUp, Telegram, Xero) and a hub wired to them, over HTTP: try everything offline')
  .option('--host <host>', 'HTTP host', '127.0.0.1')
  .option('--port <port>', 'HTTP port', (v) => parsePort(v), 3333)
  .addOption(new Option('--scenario <name>', 'run a scenario once and exit instead of serving').choices(['invoices']))
  .option('--llm <url>', 'plan with a real model at this OpenAI-compatible URL instead of the scripted stand-in')
  .addOption(new Option('--expose <mode>', 'which tools clients see in tools/list (expose.mode)').choices(['all', 'search', 'auto']))
  .option('--json', 'with --scenario: print the run and the mock apps\' final state as one JSON object on stdout')
  .action(async (opts: { host: string; port: number; scenario?: string; llm?: string; json?: boolean; expose?: 'all' | 'search' | 'auto' }) => {
    const [{ setConsoleLevel }, { SEED_TASK, startDemoApps }, { describeRun, progressLine }, { Hub }] = await Promise.all([
      import('./log/logger.js'),
      import('./cli/demo.js'),
      import('./cli/run-output.js'),
      import('./hub.js'),
    ]);
    if (!program.opts<{ logLevel?: string }>().logLevel) setConsoleLevel(opts.scenario ? 'error' : 'warn');
    const apps = await startDemoApps({ llmUrl: opts.llm });
    if (opts.expose) apps.loaded.config.expose.mode = opts.expose;
    if (!opts.scenario) {
      await serve(apps.loaded, { http: true, host: opts.host, port: opts.port }, { memory: true, schedule: true }, {
        banner: ['Offline demo: every app below is a local mock, seeded with Acme Ltd data.', ...apps.describe.map((l) => `  ${l}`), ''],
        onStop: apps.close,
        portSetting: '--port',
        // The console opens onto something: the scenario planned (a dry run, nothing changed) beside the demo's workflow.
        onServing: (hub) => void Promise.resolve().then(() => hub.startRun({ task: SEED_TASK, dryRun: true }, localPrincipal('demo'))).catch(() => undefined),
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
        out(`${describeRun(result)}\n\nClickUp "Follow-ups" list now: ${state.clickup.followUps.map((t) => t.name).join('; ')}\nTelegram messages sent: ${state.telegram.sent.length}${state.telegram.sent.at(-1)?.text ? `\n---\n${state.telegram.sent.at(-1)!.text}\n---` : ''}`);
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
  // ConfigError by name: config/load.js is imported only by the commands that read a config.
  if (err instanceof UsageError || (err instanceof Error && err.name === 'ConfigError')) {
    say(err.message);
    process.exit(2);
  }
  say(`${BIN}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
