// Trust: nothing crosses between tokens. One hub over HTTP, four tokens: alice and bob share the "rec"
// server, carol has only "other", ops is an admin. Each test is one class of hole that was shown from
// outside (issue 11); the recording servers prove what never arrived.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '../../mocks/llm/index.js';
import { eventually, tempDir, text, writeConfig } from '../support/hub.js';
import { connectAs, recorder, startHttpHub, type HttpHub, type TokenClient } from '../support/tokens.js';

const TOKENS = { alice: 'alice-token-0123456789abcdef', bob: 'bob-token-0123456789abcdef', carol: 'carol-token-0123456789abcdef', ops: 'ops-token-0123456789abcdef', dave: 'dave-token-0123456789abcdef' };
const LEAKED = 'sk-live-9f8e7d6c5b4a39281706';

let dir: string;
let events: string;
let hub: HttpHub;
let llm: MockLlm;
const clients: TokenClient[] = [];

const received = (): Array<{ server: string; tool: string; args: Record<string, unknown> }> =>
  existsSync(events) ? readFileSync(events, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];

async function as(name: keyof typeof TOKENS, sample?: (prompt: string) => string): Promise<TokenClient> {
  const c = await connectAs(hub.url, TOKENS[name], sample);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  dir = tempDir('trust-');
  events = path.join(dir, 'events.jsonl');
  llm = await startMockLlm({ responder: () => 'no plan here' });
  const config = writeConfig(dir, {
    memory: { enabled: false },
    routing: { embeddings: { provider: 'none' } },
    expose: { mode: 'all' },
    dataDir: path.join(dir, 'data'),
    llm: { provider: 'openai', baseURL: llm.url, apiKey: 'mock-key-0123456789', model: 'stand-in', maxRetries: 0 },
    servers: {
      rec: recorder('rec', events),
      other: recorder('other', events),
      leaky: recorder('leaky', events, { LEAKY_API_KEY: LEAKED, REC_FAIL_WITH: `the key ${LEAKED} was refused` }),
    },
    http: {
      auth: {
        tokens: [
          { name: 'alice', token: TOKENS.alice, tools: ['rec__*'], orchestrate: true },
          { name: 'bob', token: TOKENS.bob, tools: ['rec__*'] },
          { name: 'carol', token: TOKENS.carol, tools: ['other__*'] },
          { name: 'ops', token: TOKENS.ops, tools: ['*'], orchestrate: true, workflows: true, admin: true },
          { name: 'dave', token: TOKENS.dave, tools: ['rec__*'], orchestrate: true },
        ],
      },
    },
  });
  hub = await startHttpHub(config);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await hub?.stop();
  await llm?.close();
});

describe('server-initiated requests reach only the session whose call caused them', () => {
  it("a question asked during alice's call never reaches bob, who called the same server later", async () => {
    const alice = await as('alice');
    const bob = await as('bob');
    const asking = alice.client.callTool({ name: 'rec__ask_later', arguments: { question: 'alice: approve payroll?', ms: 600 } });
    await eventually(() => received().some((e) => e.tool === 'ask_later'), 10_000, 'the call to arrive');
    const busy = bob.client.callTool({ name: 'rec__busy', arguments: { ms: 1500 } });
    const [answer] = await Promise.all([asking, busy]);
    expect(bob.elicited.join('\n')).not.toContain('alice: approve payroll?');
    // Two clients' calls were in flight: the hub cannot tell whose the question is, so it refuses it.
    expect(text(answer)).toMatch(/refused|answer: accept/);
    if (text(answer).startsWith('answer')) expect(alice.elicited).toContain('alice: approve payroll?');
  });

  it('a question or log line sent outside any call goes to no other session', async () => {
    const alice = await as('alice');
    const bob = await as('bob');
    const carol = await as('carol');
    await alice.client.callTool({ name: 'rec__ask_after', arguments: { question: 'alice: secret question', ms: 2000 } });
    // bob and carol are the most recent sessions to act.
    await bob.client.callTool({ name: 'rec__echo', arguments: { text: 'hi' } });
    await carol.client.callTool({ name: 'other__echo', arguments: { text: 'hi' } });
    await eventually(() => received().some((e) => e.tool.startsWith('ask_after:')), 10_000, 'the late question to be settled');
    expect(received().find((e) => e.tool.startsWith('ask_after:'))!.tool).toBe('ask_after:refused');
    expect([...bob.elicited, ...carol.elicited].join('\n')).not.toContain('alice: secret question');
    // The log line of "rec" may reach sessions that have rec whole (alice, bob), never carol.
    await new Promise((r) => setTimeout(r, 300));
    expect(carol.logs.join('\n')).not.toContain('alice: secret question');
  });
});

describe('status, hints and plans hold only what the token may see', () => {
  it("hub_status shows a scoped token only its servers: no other server, address, endpoint or stderr secret", async () => {
    const carol = await as('carol');
    await eventually(async () => {
      const s = (await carol.client.callTool({ name: 'hub_status', arguments: {} })).structuredContent as { servers: Array<{ name: string }> };
      return s.servers.length > 0;
    }, 15_000);
    const status = JSON.stringify((await carol.client.callTool({ name: 'hub_status', arguments: {} })).structuredContent);
    expect(status).toContain('other');
    expect(status).not.toContain('leaky');
    expect(status).not.toContain('"rec"');
    expect(status).not.toContain(LEAKED);
    expect(status).not.toContain(new URL(llm.url).port);
    // An admin sees every server, and the crashed one's error with the secret redacted.
    const ops = await as('ops');
    const full = await eventually(async () => {
      const s = JSON.stringify((await ops.client.callTool({ name: 'hub_status', arguments: {} })).structuredContent);
      return s.includes('was refused') && s;
    }, 15_000, 'the crashed server to report');
    expect(full).toContain('leaky');
    expect(full).not.toContain(LEAKED);
  });

  it("an unknown tool's hint names no tool outside the token's scope", async () => {
    const bob = await as('bob');
    const result = await bob.client.callTool({ name: 'rec__send', arguments: {} });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('rec__send_message');
    expect(text(result)).not.toContain('other__');
  });

  it("the planner's prompt for a scoped token holds none of the tools outside its scope", async () => {
    const alice = await as('alice');
    const before = llm.requests.length;
    await alice.client.callTool({ name: 'plan_task', arguments: { task: 'send a message to the chat and echo hello' } });
    const prompts = llm.requests.slice(before).map((r) => [r.system ?? '', ...r.messages.map((m) => m.content)].join('\n'));
    expect(prompts.length).toBeGreaterThan(0);
    expect(prompts.join('\n')).toContain('rec__send_message');
    expect(prompts.join('\n')).not.toContain('other__');
  });

  it("a conversation and a run waiting for approval belong to the token that started them: another token can neither read, continue nor approve them", async () => {
    // A client that cannot be asked (no elicitation): the egress step waits for an approval by orchestrate {runId}.
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const alice = new Client({ name: 'plain', version: '1.0.0' }, { capabilities: {} });
    await alice.connect(new StreamableHTTPClientTransport(new URL(hub.url), { requestInit: { headers: { authorization: `Bearer ${TOKENS.alice}` } } }));
    clients.push({ client: alice, elicited: [], sampled: [], logs: [], close: () => alice.close() } as unknown as TokenClient);
    const dave = await as('dave');
    const marker = `conversation-${Date.now()}`;
    const plan = { steps: [{ id: 'say', tool: 'rec__send_message', args: { text: marker } }] };

    const started = (await alice.callTool({ name: 'run_plan', arguments: { plan } })).structuredContent as { runId: string; status: string; conversationId: string };
    expect(started.status).toBe('needs-approval');

    const cont = await dave.client.callTool({ name: 'run_plan', arguments: { plan, conversationId: started.conversationId } });
    expect(cont.isError).toBe(true);
    expect(text(cont)).toContain(`No conversation "${started.conversationId}"`);
    expect((await dave.client.callTool({ name: 'get_conversation', arguments: { id: started.conversationId } })).isError).toBe(true);
    const listed = await dave.client.callTool({ name: 'list_conversations', arguments: {} });
    expect(JSON.stringify(listed.structuredContent)).not.toContain(started.conversationId);
    expect((await dave.client.callTool({ name: 'remove_conversation', arguments: { id: started.conversationId } })).isError).toBe(true);

    const stolen = await dave.client.callTool({ name: 'orchestrate', arguments: { runId: started.runId, approve: true } });
    expect(stolen.isError).toBe(true);
    expect(received().filter((e) => e.args.text === marker)).toHaveLength(0);

    const own = await alice.callTool({ name: 'get_conversation', arguments: { id: started.conversationId } });
    expect(text(own)).toContain('rec__send_message');
    const approved = (await alice.callTool({ name: 'orchestrate', arguments: { runId: started.runId, approve: true } })).structuredContent as { status: string };
    expect(approved.status).toBe('succeeded');
    await eventually(() => received().filter((e) => e.args.text === marker).length === 1);
  });
});
