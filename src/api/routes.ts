// The REST API under /api/v1 (issue 17): what the console shows and does, for the same tokens and with
// the same scopes as /mcp. The HTTP edge (src/server/http.ts) authenticates and limits before a request
// gets here; every route then asks the one access policy (src/access/policy.ts) and answers with data
// the principal may see: its servers and tools, its own runs, workflows, memory, conversations, usage and
// audit lines (an admin's: everyone's). Errors are problem details (problem.ts). The routes and the
// OpenAPI document (openapi.ts) are checked against each other by test/api.test.ts.
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Principal } from '../access/principal.js';
import { detachedCaller, type CallContext } from '../access/caller.js';
import { allowsNeed, allowsTool, NEEDS_TEXT, type Need } from '../access/policy.js';
import type { Hub } from '../hub.js';
import { ConversationError, type RunRecord } from '../planner/index.js';
import { ApiError, onApiError } from './problem.js';
import { OPENAPI } from './openapi.js';

export type ApiEnv = { Variables: { principal?: Principal; body?: unknown } };

/** What the API uses of the hub. */
export type ApiHost = Pick<Hub, 'status' | 'catalog' | 'index' | 'pool' | 'runLog' | 'orchestrator' | 'approveRun' | 'startRun' | 'workflows' | 'memory' | 'usage' | 'audit'>;

const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'planned', 'needs-approval']);

const RunInput = z
  .object({
    task: z.string().min(1).optional(),
    plan: z.record(z.string(), z.unknown()).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    dryRun: z.boolean().optional(),
    conversationId: z.string().min(1).max(100).optional(),
  })
  .strict()
  .refine((v) => (v.task === undefined) !== (v.plan === undefined), 'give `task` or `plan` (one of them)');

const Approve = z.object({ approve: z.boolean() }).strict();
const Resume = z.object({ approveDestructive: z.boolean().optional() }).strict();
const Limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/** The API as a Hono app, to be mounted at /api/v1 behind the edge's middlewares. `local` stands in for requests without a token. */
export function apiRoutes(hub: ApiHost, local: Principal): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();
  const who = (c: Context<ApiEnv>): Principal => c.get('principal') ?? local;
  const call = (c: Context<ApiEnv>): CallContext => ({ caller: detachedCaller(who(c)) });
  const need = (c: Context<ApiEnv>, needed: Need): Principal => {
    const principal = who(c);
    if (!allowsNeed(principal, needed)) throw new ApiError(403, `token "${principal.name}" may not do this: it needs ${NEEDS_TEXT[needed]} in http.auth.tokens`);
    return principal;
  };
  const body = <T>(c: Context<ApiEnv>, schema: z.ZodType<T>): T => parse(schema, c.get('body') ?? {}, 'body');
  const query = <T>(c: Context<ApiEnv>, schema: z.ZodType<T>): T => parse(schema, c.req.query(), 'query');

  api.get('/openapi.json', (c) => c.json(OPENAPI));

  api.get('/me', (c) => {
    const p = who(c);
    return c.json({ name: p.name, admin: p.admin, orchestrate: p.orchestrate, workflows: p.workflows, tools: p.tools });
  });

  // Servers: what hub_status shows this principal.
  api.get('/servers', (c) => c.json({ servers: hub.status(call(c)).servers.map(({ connectMs, ...s }) => ({ ...s, ...(connectMs !== undefined ? { latencyMs: connectMs } : {}) })) }));
  api.post('/servers/:name/restart', async (c) => {
    need(c, 'admin');
    const name = c.req.param('name');
    if (!(await hub.pool.restart(name))) throw new ApiError(404, `no server "${name}" (GET /api/v1/servers lists them)`);
    const server = hub.status(call(c)).servers.find((s) => s.name === name);
    return c.json({ name, state: server?.state ?? 'unknown' }, 202);
  });

  // Catalog and search: the tools in the principal's scope.
  api.get('/tools', (c) => {
    const q = query(c, z.object({ server: z.string().optional(), limit: Limit(500, 100), cursor: z.string().optional() }));
    const principal = who(c);
    const all = hub.catalog
      .tools()
      .filter((t) => allowsTool(principal, t.name) && (q.server === undefined || t.server === q.server))
      .sort((a, b) => a.name.localeCompare(b.name));
    const start = q.cursor ? all.findIndex((t) => t.name > q.cursor!) : 0;
    const page = start < 0 ? [] : all.slice(start, start + q.limit);
    const more = start >= 0 && start + q.limit < all.length;
    return c.json({
      tools: page.map((t) => ({ name: t.name, server: t.server, description: t.tool.description ?? '', ...(t.tool.annotations ? { annotations: t.tool.annotations } : {}) })),
      ...(more ? { nextCursor: page.at(-1)!.name } : {}),
    });
  });
  api.get('/search', async (c) => {
    const q = query(c, z.object({ q: z.string().min(1, 'q: say what the tool should do'), limit: Limit(50, 10) }));
    const principal = who(c);
    const hits = (await hub.index.search(q.q, { limit: principal.allTools ? q.limit : 50 })).filter((h) => allowsTool(principal, h.name)).slice(0, q.limit);
    return c.json({ tools: hits.map((h) => ({ name: h.name, server: h.server, description: h.description, score: h.score })) });
  });

  // Runs: the principal's own (an admin's: all), live, approvable and cancellable.
  api.get('/runs', (c) => {
    const principal = need(c, 'orchestrate');
    const q = query(c, z.object({ status: z.string().optional(), limit: Limit(200, 50), cursor: z.string().optional() }));
    const page = hub.runLog.list(principal, q);
    return c.json({ runs: page.runs.map(runSummary), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
  });
  api.post('/runs', async (c) => {
    const principal = need(c, 'orchestrate');
    const input = body(c, RunInput);
    try {
      const started = hub.startRun({ ...input, plan: input.plan as never }, principal);
      return c.json({ runId: started.runId, conversationId: started.conversationId, status: 'running' }, 202);
    } catch (err) {
      if (err instanceof ConversationError) throw new ApiError(404, err.message);
      throw new ApiError(409, err instanceof Error ? err.message : String(err));
    }
  });
  const ownRun = (c: Context<ApiEnv>): RunRecord => {
    const principal = need(c, 'orchestrate');
    const id = c.req.param('id')!;
    const record = hub.runLog.get(id, principal);
    if (!record) throw new ApiError(404, `no run "${id}" (GET /api/v1/runs lists yours)`);
    return record;
  };
  api.get('/runs/:id', (c) => c.json(withApproval(ownRun(c), hub)));
  api.get('/runs/:id/events', (c) => {
    const first = ownRun(c);
    return streamSSE(c, async (stream) => {
      let latest = first;
      let wake: (() => void) | undefined;
      const stop = hub.runLog.follow(first.id, (record) => {
        latest = record;
        wake?.();
      });
      stream.onAbort(() => wake?.());
      try {
        let sent = '';
        for (;;) {
          // The record is the run's live object: what is sent and what ends the stream are read at the same moment.
          const status = latest.status;
          const snapshot = JSON.stringify(withApproval(latest, hub));
          if (snapshot !== sent) {
            await stream.writeSSE({ event: 'run', data: snapshot });
            sent = snapshot;
          }
          if (FINISHED.has(status) || stream.aborted) break;
          // Wait for the next change, with a heartbeat comment so proxies keep the stream open.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 15_000);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
          if (stream.aborted) break;
          await stream.write(': keep-alive\n\n');
        }
      } finally {
        stop();
      }
    });
  });
  api.post('/runs/:id/approve', async (c) => {
    const record = ownRun(c);
    const { approve } = body(c, Approve);
    const result = await hub.approveRun(record.id, approve, call(c));
    if ('refused' in result) throw new ApiError(409, result.refused);
    return c.json(withApproval(result.record, hub));
  });
  api.post('/runs/:id/cancel', (c) => {
    const record = ownRun(c);
    if (!hub.runLog.cancel(record.id)) throw new ApiError(409, `run "${record.id}" is not running in this hub (it is ${record.status})`);
    return c.json({ runId: record.id, status: 'cancelling' }, 202);
  });

  // Workflows: through the workflow service, which checks ownership (as with the MCP tools).
  const asPrincipal = (c: Context<ApiEnv>) => ({ as: need(c, 'workflows') });
  const workflowCall = async <T>(work: () => Promise<T> | T): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new ApiError(/no workflow|unknown workflow|not found/i.test(message) ? 404 : 409, message);
    }
  };
  api.get('/workflows', (c) => c.json({ workflows: hub.workflows.list(asPrincipal(c)) }));
  api.get('/workflows/:id', async (c) => {
    const q = query(c, z.object({ runs: z.coerce.number().int().min(0).max(50).default(10) }));
    return c.json(await workflowCall(() => hub.workflows.get(c.req.param('id'), { runs: q.runs, ...asPrincipal(c) })));
  });
  api.post('/workflows/:id/pause', async (c) => c.json(await workflowCall(() => hub.workflows.pause(c.req.param('id'), asPrincipal(c)))));
  api.post('/workflows/:id/resume', async (c) => {
    const input = body(c, Resume);
    return c.json(await workflowCall(() => hub.workflows.resume(c.req.param('id'), { ...input, ...asPrincipal(c) })));
  });
  api.post('/workflows/:id/run', async (c) => {
    const run = await workflowCall(() => hub.workflows.runNow(c.req.param('id'), { wait: false, ...asPrincipal(c) }));
    return c.json(run, 202);
  });

  // Memory: the principal's own entries.
  api.get('/memory', async (c) => {
    const principal = need(c, 'memory');
    const q = query(c, z.object({ q: z.string().default(''), limit: Limit(100, 20) }));
    if (hub.memory.status().state !== 'ready') throw new ApiError(503, `memory is ${hub.memory.status().state}${hub.memory.status().reason ? `: ${hub.memory.status().reason}` : ''}`);
    const hits = await hub.memory.search(q.q, q.limit, { principal });
    return c.json({ entries: hits.map(({ record: _r, ...h }) => h) });
  });
  api.delete('/memory/:id', async (c) => {
    const principal = need(c, 'memory');
    const id = c.req.param('id');
    const removed = await hub.memory.forget({ id }, { principal });
    if (!removed) throw new ApiError(404, `no memory entry "${id}" of yours`);
    return c.json({ removed: id });
  });

  // Conversations: the principal's own.
  api.get('/conversations', (c) => c.json({ conversations: hub.orchestrator.conversations.list(need(c, 'orchestrate')) }));
  api.get('/conversations/:id', (c) => {
    const id = c.req.param('id');
    const turns = hub.orchestrator.conversations.turns(id, need(c, 'orchestrate'));
    if (!turns) throw new ApiError(404, `no conversation "${id}" of yours`);
    return c.json({ id, turns });
  });
  api.delete('/conversations/:id', (c) => {
    const id = c.req.param('id');
    if (!hub.orchestrator.conversations.remove(id, need(c, 'orchestrate'))) throw new ApiError(404, `no conversation "${id}" of yours`);
    return c.json({ removed: id });
  });

  // Usage and audit: the principal's own client name (an admin's: everyone's).
  api.get('/usage', (c) => {
    const principal = who(c);
    const q = query(c, z.object({ period: z.enum(['hour', 'day']).default('hour'), since: isoDate.optional(), until: isoDate.optional() }));
    const until = q.until ?? Date.now();
    const since = q.since ?? until - (q.period === 'hour' ? 24 : 30 * 24) * 3_600_000;
    if (since > until) throw new ApiError(400, 'query: since is after until');
    return c.json({ period: q.period, ...hub.usage.buckets(q.period, since, until, principal.admin ? undefined : principal.name) });
  });
  api.get('/audit', (c) => {
    const principal = who(c);
    const q = query(
      c,
      z.object({ client: z.string().optional(), tool: z.string().optional(), outcome: z.enum(['ok', 'error', 'refused', 'cancelled']).optional(), since: isoDate.optional(), until: isoDate.optional(), limit: Limit(500, 100), cursor: z.string().optional() }),
    );
    if (!hub.audit) throw new ApiError(404, 'the audit log is off (audit.enabled: false)');
    const client = principal.admin ? q.client : principal.name;
    const page = hub.audit.read(
      (l) =>
        (client === undefined || l.client === client) &&
        (q.tool === undefined || l.tool === q.tool) &&
        (q.outcome === undefined || l.outcome === q.outcome) &&
        (q.since === undefined || Date.parse(l.time) >= q.since) &&
        (q.until === undefined || Date.parse(l.time) <= q.until),
      { limit: q.limit, cursor: q.cursor },
    );
    return c.json({ entries: page.entries.map(({ args: _a, time, ...e }) => ({ ts: time, ...e })), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
  });

  // Mounted under the hub's app, whose notFound would answer first: an unknown path here is a route of its own.
  api.all('*', (c) => onApiError(new ApiError(404, `no route ${c.req.method} ${c.req.path}; /api/v1/openapi.json lists them`), c));
  api.onError(onApiError);
  return api;
}

const isoDate = z.string().transform((v, ctx) => {
  const t = Date.parse(v);
  if (Number.isNaN(t)) {
    ctx.addIssue({ code: 'custom', message: 'is not an ISO date (e.g. 2026-12-01T09:00:00Z)' });
    return z.NEVER;
  }
  return t;
});

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.length ? `${where}.${i.path.join('.')}` : where}: ${i.message}`);
  throw new ApiError(400, problems.join('; '));
}

function runSummary(r: RunRecord) {
  return { id: r.id, task: r.task, status: r.status, client: r.client, trigger: r.trigger, startedAt: r.startedAt, endedAt: r.endedAt, ms: r.ms, steps: r.steps.length, usage: r.usage };
}

/** A run record, with what an approval would run when it waits. */
function withApproval(record: RunRecord, hub: ApiHost) {
  if (record.status !== 'needs-approval' || !record.plan) return record;
  const steps = hub.orchestrator.executor.destructiveSteps(record.plan).filter((d) => ['pending', 'needs-approval'].includes(record.steps.find((s) => s.id === d.step)?.status ?? ''));
  return { ...record, approval: { steps, message: `Approving runs: ${steps.map((s) => `${s.step} (${s.tool}: ${s.reason})`).join(', ')}` } };
}
