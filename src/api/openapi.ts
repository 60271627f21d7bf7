// The OpenAPI 3.1 document of the REST API, served at /api/v1/openapi.json. Written as data next to the
// routes (routes.ts); test/api.test.ts fails when a route is missing here or a path here has no route.
const json = (schema: object) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), { $ref: `#/components/responses/Problem` }]));
const ok = (description: string, schema: object, status = '200') => ({ [status]: { description, content: json(schema) } });
const q = (name: string, description: string, schema: object = { type: 'string' }, required = false) => ({ name, in: 'query', required, description, schema });
const p = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const page = (item: string, key: string) => ({ type: 'object', properties: { [key]: { type: 'array', items: ref(item) }, nextCursor: { type: 'string' } }, required: [key] });
const cursor = [q('limit', 'page size', { type: 'integer', minimum: 1 }), q('cursor', 'nextCursor of the previous page')];
const secured = { security: [{ bearer: [] }] };

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'MCP Orchestrator REST API',
    version: '1',
    description:
      'What the console (/ui) shows and does, with the same bearer tokens and scopes as /mcp: a token sees its servers and tools, its own runs, workflows, memory, conversations, usage and audit lines (an admin token: everyone\'s). Errors are application/problem+json.',
  },
  servers: [{ url: '/api/v1' }],
  security: [{ bearer: [] }],
  paths: {
    '/openapi.json': { get: { summary: 'This document', ...secured, responses: ok('OpenAPI 3.1', { type: 'object' }) } },
    '/me': { get: { summary: 'Who the token is and what it may do', responses: { ...ok('The principal', ref('Me')), ...problems(401) } } },
    '/servers': { get: { summary: 'Servers: state, transport, tools, restarts, last error, latency', responses: { ...ok('Servers', { type: 'object', properties: { servers: { type: 'array', items: ref('Server') } } }), ...problems(401) } } },
    '/servers/{name}/restart': { post: { summary: 'Restart one server (admin)', parameters: [p('name', 'server name')], responses: { ...ok('Restarting', { type: 'object', properties: { name: { type: 'string' }, state: { type: 'string' } } }, '202'), ...problems(401, 403, 404) } } },
    '/tools': { get: { summary: 'The catalog (tools in scope), by name', parameters: [q('server', 'only this server'), ...cursor], responses: { ...ok('Tools', page('Tool', 'tools')), ...problems(400, 401) } } },
    '/search': { get: { summary: 'Tool search with scores', parameters: [q('q', 'what the tool should do', { type: 'string' }, true), q('limit', 'results', { type: 'integer' })], responses: { ...ok('Hits', { type: 'object', properties: { tools: { type: 'array', items: ref('Hit') } } }), ...problems(400, 401) } } },
    '/runs': {
      get: { summary: 'Runs, newest first (orchestrate)', parameters: [q('status', 'only runs with this status'), ...cursor], responses: { ...ok('Runs', page('RunSummary', 'runs')), ...problems(400, 401, 403) } },
      post: {
        summary: 'Start a run of a task (planned by the hub\'s model) or of a plan; it goes on in the background',
        requestBody: { required: true, content: json(ref('RunInput')) },
        responses: { ...ok('Started', { type: 'object', properties: { runId: { type: 'string' }, conversationId: { type: 'string' }, status: { const: 'running' } } }, '202'), ...problems(400, 401, 403, 404, 409) },
      },
    },
    '/runs/{id}': { get: { summary: 'One run with its steps', parameters: [p('id', 'run id')], responses: { ...ok('The run', ref('Run')), ...problems(401, 403, 404) } } },
    '/runs/{id}/events': {
      get: {
        summary: 'The run as it changes: Server-Sent Events `run` (data: the run), until it finishes or waits for approval',
        parameters: [p('id', 'run id')],
        responses: { '200': { description: 'text/event-stream of `event: run`', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...problems(401, 403, 404) },
      },
    },
    '/runs/{id}/approve': { post: { summary: 'Approve (or decline) the steps a waiting run showed', parameters: [p('id', 'run id')], requestBody: { required: true, content: json({ type: 'object', properties: { approve: { type: 'boolean' } }, required: ['approve'] }) }, responses: { ...ok('The run after it went on', ref('Run')), ...problems(400, 401, 403, 404, 409) } } },
    '/runs/{id}/cancel': { post: { summary: 'Cancel a run in progress', parameters: [p('id', 'run id')], responses: { ...ok('Cancelling', { type: 'object' }, '202'), ...problems(401, 403, 404, 409) } } },
    '/workflows': { get: { summary: 'Workflows: schedule, state, next runs, last run', responses: { ...ok('Workflows', { type: 'object', properties: { workflows: { type: 'array', items: ref('Workflow') } } }), ...problems(401, 403) } } },
    '/workflows/{id}': { get: { summary: 'One workflow with its history', parameters: [p('id', 'workflow id'), q('runs', 'recent runs to include', { type: 'integer' })], responses: { ...ok('The workflow', ref('Workflow')), ...problems(400, 401, 403, 404) } } },
    '/workflows/{id}/pause': { post: { summary: 'Pause a workflow', parameters: [p('id', 'workflow id')], responses: { ...ok('The workflow', ref('Workflow')), ...problems(401, 403, 404, 409) } } },
    '/workflows/{id}/resume': { post: { summary: 'Resume a workflow (approveDestructive: consent for its destructive tools)', parameters: [p('id', 'workflow id')], requestBody: { content: json({ type: 'object', properties: { approveDestructive: { type: 'boolean' } } }) }, responses: { ...ok('The workflow', ref('Workflow')), ...problems(400, 401, 403, 404, 409) } } },
    '/workflows/{id}/run': { post: { summary: 'Run a workflow now', parameters: [p('id', 'workflow id')], responses: { ...ok('Started', { type: 'object' }, '202'), ...problems(401, 403, 404, 409) } } },
    '/memory': { get: { summary: 'Search remembered runs and notes (the token\'s own)', parameters: [q('q', 'what to look for; empty lists the latest'), q('limit', 'results', { type: 'integer' })], responses: { ...ok('Entries', { type: 'object', properties: { entries: { type: 'array', items: ref('MemoryEntry') } } }), ...problems(400, 401, 403, 503) } } },
    '/memory/{id}': { delete: { summary: 'Forget one entry', parameters: [p('id', 'entry id')], responses: { ...ok('Removed', { type: 'object' }), ...problems(401, 403, 404) } } },
    '/conversations': { get: { summary: 'Conversations, most recent first', responses: { ...ok('Conversations', { type: 'object', properties: { conversations: { type: 'array', items: ref('Conversation') } } }), ...problems(401, 403) } } },
    '/conversations/{id}': {
      get: { summary: 'One conversation with its requests', parameters: [p('id', 'conversation id')], responses: { ...ok('The conversation', { type: 'object', properties: { id: { type: 'string' }, turns: { type: 'array', items: { type: 'object' } } } }), ...problems(401, 403, 404) } },
      delete: { summary: 'Forget a conversation', parameters: [p('id', 'conversation id')], responses: { ...ok('Removed', { type: 'object' }), ...problems(401, 403, 404) } },
    },
    '/usage': { get: { summary: 'Calls, errors, latency and model cost per hour or day', parameters: [q('period', 'bucket size', { enum: ['hour', 'day'] }), q('since', 'ISO date'), q('until', 'ISO date')], responses: { ...ok('Buckets', ref('Usage')), ...problems(400, 401) } } },
    '/audit': {
      get: {
        summary: 'The audit log, newest first (a token: its own lines)',
        parameters: [q('client', 'token or client name (admin)'), q('tool', 'tool name'), q('outcome', 'ok, error, refused, cancelled'), q('since', 'ISO date'), q('until', 'ISO date'), ...cursor],
        responses: { ...ok('Lines', page('AuditLine', 'entries')), ...problems(400, 401, 404) },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from http.auth.tokens (none on a loopback hub without auth)' } },
    responses: { Problem: { description: 'A problem', content: { 'application/problem+json': { schema: ref('Problem') } } } },
    schemas: {
      Problem: { type: 'object', properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' } }, required: ['title', 'status', 'detail'] },
      Me: { type: 'object', properties: { name: { type: 'string' }, admin: { type: 'boolean' }, orchestrate: { type: 'boolean' }, workflows: { type: 'boolean' }, tools: { type: 'array', items: { type: 'string' } } } },
      Server: { type: 'object', properties: { name: { type: 'string' }, state: { type: 'string' }, transport: { type: 'string' }, protocol: { type: 'string' }, tools: { type: 'integer' }, restarts: { type: 'integer' }, error: { type: 'string' }, latencyMs: { type: 'number' } }, required: ['name', 'state'] },
      Tool: { type: 'object', properties: { name: { type: 'string' }, server: { type: 'string' }, description: { type: 'string' }, annotations: { type: 'object' } }, required: ['name', 'server'] },
      Hit: { type: 'object', properties: { name: { type: 'string' }, server: { type: 'string' }, description: { type: 'string' }, score: { type: 'number' } }, required: ['name', 'score'] },
      RunInput: {
        type: 'object',
        properties: { task: { type: 'string' }, plan: { type: 'object', description: 'the plan format: {goal?, steps: [...]}' }, context: { type: 'object' }, dryRun: { type: 'boolean' }, conversationId: { type: 'string' } },
        description: 'task or plan, one of them',
      },
      RunSummary: { type: 'object', properties: { id: { type: 'string' }, task: { type: 'string' }, status: { type: 'string' }, client: { type: 'string' }, trigger: { type: 'string' }, startedAt: { type: 'string' }, endedAt: { type: 'string' }, ms: { type: 'number' }, steps: { type: 'integer' }, usage: { type: 'object' } } },
      Run: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          task: { type: 'string' },
          status: { enum: ['planned', 'needs-approval', 'running', 'succeeded', 'failed', 'cancelled'] },
          plan: { type: 'object' },
          steps: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, tool: { type: 'string' }, status: { type: 'string' }, args: {}, result: {}, error: { type: 'string' }, ms: { type: 'number' }, iterations: { type: 'integer' } } } },
          summary: { type: 'string' },
          error: { type: 'string' },
          startedAt: { type: 'string' },
          endedAt: { type: 'string' },
          usage: { type: 'object' },
          approval: { type: 'object', properties: { steps: { type: 'array', items: { type: 'object' } }, message: { type: 'string' } } },
        },
        required: ['id', 'status', 'steps'],
      },
      Workflow: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, source: { type: 'string' }, scheduleText: { type: 'string' }, state: { type: 'string' }, nextRuns: { type: 'array', items: { type: 'string' } }, needsApproval: { type: 'array', items: { type: 'string' } } } },
      MemoryEntry: { type: 'object', properties: { id: { type: 'string' }, kind: { type: 'string' }, text: { type: 'string' }, status: { type: 'string' }, startedAt: { type: 'string' }, similarity: { type: 'number' } } },
      Conversation: { type: 'object', properties: { id: { type: 'string' }, owner: { type: 'string' }, created: { type: 'string' }, updated: { type: 'string' }, turns: { type: 'integer' }, title: { type: 'string' } } },
      Usage: {
        type: 'object',
        properties: {
          period: { enum: ['hour', 'day'] },
          buckets: { type: 'array', items: { type: 'object', properties: { start: { type: 'string' }, calls: { type: 'integer' }, errors: { type: 'integer' }, avgMs: { type: 'number' }, llmCalls: { type: 'integer' }, inputTokens: { type: 'integer' }, outputTokens: { type: 'integer' }, costUsd: { type: 'number' } } } },
          totals: { type: 'object' },
        },
      },
      AuditLine: { type: 'object', properties: { ts: { type: 'string' }, kind: { type: 'string' }, client: { type: 'string' }, tool: { type: 'string' }, outcome: { type: 'string' }, ms: { type: 'number' }, error: { type: 'string' } } },
    },
  },
} as const;
