// The ClickUp MCP server end to end: the SDK Client talks over stdio to `node dist/.../index.js`,
// which talks HTTP to the in-process ClickUp mock; writes are checked in the mock's state.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ACME, startClickUpMock, type ClickUpMock } from '../mocks/clickup-api/index.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const ENTRY = path.join(ROOT, 'dist/custom-servers/clickup/src/index.js');
const DAY = 86_400_000;

interface Session {
  client: Client;
  stderr: () => string;
  close(): Promise<void>;
}

async function connect(env: Record<string, string>): Promise<Session> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [ENTRY], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const client = new Client({ name: 'clickup-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

let mock: ClickUpMock;
let main: Session;

function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  // Fast exponential backoff so 5xx retries do not slow the suite; Retry-After still rules for 429.
  return { CLICKUP_API_URL: mock.url, CLICKUP_API_TOKEN: mock.token, CLICKUP_RETRY_BASE_MS: '20', CLICKUP_MAX_RETRIES: '2', ...extra };
}

async function call(name: string, args: Record<string, unknown> = {}, session = main): Promise<CallToolResult> {
  return (await session.client.callTool({ name, arguments: args })) as CallToolResult;
}

/** Calls a tool that must succeed and returns its structured content. */
async function data<T = any>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  const result = await call(name, args);
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
  expect(result.isError, `${name} failed: ${text}`).toBeFalsy();
  expect(text.length).toBeGreaterThan(0);
  return result.structuredContent as T;
}

/** Calls a tool that must fail and returns its error text. */
async function failure(name: string, args: Record<string, unknown> = {}, session = main): Promise<string> {
  const result = await call(name, args, session);
  expect(result.isError).toBe(true);
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

const { lists, teamId, users, spaces, folders, fields } = ACME;

beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build first`);
  mock = await startClickUpMock();
  main = await connect(serverEnv());
});

afterAll(async () => {
  await main?.close();
  await mock?.close();
});

afterEach(() => mock.server.setFaults({}));

describe('tool catalogue', () => {
  it('lists every tool with a description, schemas and honest annotations', async () => {
    const { tools } = await main.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    const expected = [
      'get_workspaces', 'get_spaces', 'get_folders', 'get_lists', 'search_tasks', 'get_task', 'create_task', 'create_subtask',
      'update_task', 'delete_task', 'move_task', 'get_comments', 'add_comment', 'add_tag', 'remove_tag', 'get_custom_fields',
      'get_time_entries', 'add_time_entry',
    ];
    expect([...byName.keys()].sort()).toEqual([...expected].sort());
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(tool.description!.length).toBeGreaterThan(60);
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.annotations).toMatchObject({ openWorldHint: true });
      expect(typeof tool.annotations?.readOnlyHint).toBe('boolean');
    }
    expect(byName.get('delete_task')!.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    for (const name of ['get_workspaces', 'get_spaces', 'get_folders', 'get_lists', 'search_tasks', 'get_task', 'get_comments', 'get_custom_fields', 'get_time_entries']) {
      expect(byName.get(name)!.annotations, name).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    }
    for (const name of ['create_task', 'create_subtask', 'update_task', 'move_task', 'add_comment', 'add_tag', 'remove_tag', 'add_time_entry']) {
      expect(byName.get(name)!.annotations, name).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    }
    expect(byName.get('create_task')!.inputSchema.required).toEqual(expect.arrayContaining(['list_id', 'name']));
  });
});

describe('hierarchy', () => {
  it('get_workspaces returns Acme Ltd and its members', async () => {
    const { workspaces } = await data('get_workspaces');
    expect(workspaces).toHaveLength(1);
    expect(workspaces[0]).toMatchObject({ id: teamId, name: 'Acme Ltd' });
    expect(workspaces[0].members.map((m: { username: string }) => m.username)).toEqual(['Alice Martin', 'Ben Okafor', 'Chloe Dubois', 'Dan Reyes']);
    expect(workspaces[0].members[0]).toMatchObject({ id: users.alice, role: 'owner' });
  });

  it('get_spaces returns spaces with their statuses', async () => {
    const { spaces: found } = await data('get_spaces', { team_id: teamId });
    expect(found.map((s: { name: string }) => s.name)).toEqual(['Finance', 'Operations']);
    expect(found[0].statuses.map((s: { status: string }) => s.status)).toEqual(['to do', 'in progress', 'awaiting payment', 'complete']);
  });

  it('get_folders returns folders with their lists, and get_lists the lists of a folder or of a space', async () => {
    const { folders: found } = await data('get_folders', { space_id: spaces.finance });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ id: folders.billing, name: 'Billing' });
    expect(found[0].lists.map((l: { name: string }) => l.name)).toEqual(['Accounts Receivable', 'Accounts Payable']);

    const inFolder = await data('get_lists', { folder_id: folders.billing });
    expect(inFolder.lists.map((l: { id: string }) => l.id)).toEqual([lists.accountsReceivable, lists.accountsPayable]);
    const folderless = await data('get_lists', { space_id: spaces.finance });
    expect(folderless.lists).toEqual([expect.objectContaining({ id: lists.followUps, name: 'Follow-ups', folder: expect.objectContaining({ hidden: true }) })]);

    expect(await failure('get_lists', { folder_id: folders.billing, space_id: spaces.finance })).toMatch(/exactly one of folder_id, space_id/);
  });

  it('an unknown workspace id comes back as a tool error pointing at get_workspaces', async () => {
    const text = await failure('get_spaces', { team_id: '123' });
    expect(text).toContain('Team not authorized');
    expect(text).toContain('get_workspaces');
  });
});

describe('reading tasks', () => {
  it('search_tasks in a list leaves out closed tasks and subtasks unless asked', async () => {
    const open = await data('search_tasks', { list_id: lists.accountsReceivable });
    expect(open.tasks.map((t: { custom_id: string }) => t.custom_id).sort()).toEqual(['AR-101', 'AR-102', 'AR-103']);
    expect(open).toMatchObject({ count: 3, first_page: 0, pages_fetched: 1, next_page: null });
    const chase = open.tasks.find((t: { custom_id: string }) => t.custom_id === 'AR-101');
    expect(chase).toMatchObject({ status: 'awaiting payment', priority: 'high', tags: ['invoice', 'overdue'], list: { name: 'Accounts Receivable' } });
    expect(Date.parse(chase.due_date)).toBeLessThan(Date.now());

    const all = await data('search_tasks', { list_id: lists.accountsReceivable, include_closed: true, include_subtasks: true });
    expect(all.tasks.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(['INV-1029 paid (Hooli)', 'Attach remittance advice']),
    );
    expect(all.count).toBe(5);
  });

  it('search_tasks filters a workspace by tags, assignees, statuses, due dates and name', async () => {
    const overdue = await data('search_tasks', { team_id: teamId, tags: ['overdue'] });
    expect(overdue.tasks.map((t: { name: string }) => t.name).sort()).toEqual(['Call Globex accounts payable', 'Chase invoice INV-1042 (Globex)']);

    const dans = await data('search_tasks', { team_id: teamId, assignees: [users.dan] });
    expect(dans.tasks.map((t: { name: string }) => t.name).sort()).toEqual(['Onboard Stark Industries as supplier', 'Renew office insurance']);

    const waiting = await data('search_tasks', { team_id: teamId, statuses: ['awaiting payment'] });
    expect(waiting.tasks.map((t: { custom_id: string }) => t.custom_id)).toEqual(['AR-101']);

    const pastDue = await data('search_tasks', { team_id: teamId, due_before: new Date(Date.now() - DAY / 2).toISOString() });
    expect(pastDue.tasks.map((t: { custom_id: string }) => t.custom_id)).toEqual(['AR-101']);

    const nextWeek = await data('search_tasks', { team_id: teamId, space_ids: [spaces.finance], due_after: new Date().toISOString(), due_before: new Date(Date.now() + 6 * DAY).toISOString() });
    expect(nextWeek.tasks.map((t: { custom_id: string }) => t.custom_id).sort()).toEqual(['AP-201', 'AR-102', 'AR-103']);

    const byName = await data('search_tasks', { team_id: teamId, name_contains: 'globex' });
    expect(byName.count).toBe(2);

    const sentQuery = mock.server.requests.filter((r) => r.path === `/api/v2/team/${teamId}/task`).at(-2)!.query;
    expect(sentQuery['space_ids[]']).toBe(spaces.finance);
  });

  it('get_task returns details, custom field values and subtasks', async () => {
    const chase = mock.state.findTask('Chase invoice INV-1042 (Globex)')!;
    const task = await data('get_task', { task_id: chase.id, include_subtasks: true });
    expect(task).toMatchObject({ id: chase.id, custom_id: 'AR-101', team_id: teamId, space_id: spaces.finance, folder: { name: 'Billing' } });
    expect(task.description).toContain('INV-1042');
    expect(task.assignees).toEqual([{ id: users.ben, username: 'Ben Okafor' }]);
    const byName = Object.fromEntries(task.custom_fields.map((f: { name: string; display: string }) => [f.name, f.display]));
    expect(byName).toMatchObject({ 'Payment Status': 'Unpaid', 'Invoice #': 'INV-1042', 'Invoice Amount': '4250', Client: 'Globex Corporation' });
    expect(task.subtasks.map((s: { name: string }) => s.name)).toEqual(['Attach remittance advice']);
    expect(task.time_spent_minutes).toBe(30);
  });

  it('get_custom_fields lists field definitions with drop-down options', async () => {
    const { fields: found } = await data('get_custom_fields', { list_id: lists.accountsReceivable });
    expect(found.map((f: { name: string }) => f.name)).toEqual(['Invoice Amount', 'Client', 'Invoice #', 'Payment Status']);
    const status = found.find((f: { name: string }) => f.name === 'Payment Status');
    expect(status).toMatchObject({ type: 'drop_down', options: [{ name: 'Unpaid', orderindex: 0 }, { name: 'Partially paid', orderindex: 1 }, { name: 'Paid', orderindex: 2 }] });
  });

  it('get_comments returns the thread newest first', async () => {
    const chase = mock.state.findTask('Chase invoice INV-1042 (Globex)')!;
    const { comments } = await data('get_comments', { task_id: chase.id });
    expect(comments.map((c: { text: string }) => c.text)).toEqual(['Escalate to their CFO if nothing by Friday.', 'Reminder sent on Monday, no reply yet.']);
    expect(comments[0]).toMatchObject({ user: { username: 'Alice Martin' }, assignee: { id: users.ben } });
  });
});

describe('writing tasks', () => {
  it('create_task creates a task with assignees, tags, due date, priority and a custom field', async () => {
    const created = await data('create_task', {
      list_id: lists.followUps,
      name: 'Chase Initech for PO number',
      description: 'They need a PO on the invoice.',
      priority: 'urgent',
      assignees: [users.chloe],
      tags: ['Invoice', 'q3'],
      due_date: '2031-04-30T16:00:00Z',
      time_estimate_minutes: 45,
      custom_fields: [{ id: fields.client, value: 'Initech' }],
    });
    const task = mock.state.findTask('Chase Initech for PO number', 'Follow-ups');
    expect(task).toBeDefined();
    expect(task).toMatchObject({
      id: created.id, priority: 1, assignees: [users.chloe], tags: ['invoice', 'q3'], due_date: Date.parse('2031-04-30T16:00:00Z'),
      due_date_time: true, time_estimate: 45 * 60_000, status: 'to do', description: 'They need a PO on the invoice.',
    });
    expect(task!.fieldValues[fields.client]).toBe('Initech');
    expect(created).toMatchObject({ list: { id: lists.followUps }, status: 'to do', priority: 'urgent', due_date: '2031-04-30T16:00:00.000Z' });
  });

  it('create_subtask puts the subtask in its parent\'s list', async () => {
    const parent = mock.state.findTask('Chase Initech for PO number')!;
    const sub = await data('create_subtask', { parent_task_id: parent.id, name: 'Find the PO email', assignees: [users.ben] });
    const stored = mock.state.tasks.get(sub.id)!;
    expect(stored).toMatchObject({ parent: parent.id, listId: lists.followUps, name: 'Find the PO email', assignees: [users.ben] });
    expect(sub.parent).toBe(parent.id);
  });

  it('update_task changes status, priority, dates and assignees', async () => {
    const task = mock.state.findTask('Chase Initech for PO number')!;
    const updated = await data('update_task', {
      task_id: task.id, status: 'In Progress', priority: null, due_date: null, add_assignees: [users.dan], remove_assignees: [users.chloe],
    });
    expect(mock.state.tasks.get(task.id)).toMatchObject({ status: 'in progress', priority: null, due_date: null, assignees: [users.dan] });
    expect(updated).toMatchObject({ status: 'in progress', priority: null, due_date: null, assignees: [{ id: users.dan, username: 'Dan Reyes' }] });

    await data('update_task', { task_id: task.id, name: 'Chase Initech for the PO number', start_date: '2031-04-01' });
    expect(mock.state.tasks.get(task.id)).toMatchObject({ name: 'Chase Initech for the PO number', start_date: Date.parse('2031-04-01') });
  });

  it('update_task reports a status the list does not have, and changes nothing', async () => {
    const task = mock.state.findTask('Chase Initech for the PO number')!;
    const text = await failure('update_task', { task_id: task.id, status: 'shipped', name: 'Renamed' });
    expect(text).toContain('Status does not exist');
    expect(text).toContain('get_spaces');
    expect(mock.state.tasks.get(task.id)!.name).toBe('Chase Initech for the PO number');
    expect(await failure('update_task', { task_id: task.id })).toMatch(/nothing to change/);
  });

  it('add_tag and remove_tag change the task\'s tags', async () => {
    const task = mock.state.findTask('Chase Initech for the PO number')!;
    await data('add_tag', { task_id: task.id, tag: 'Urgent' });
    expect(mock.state.tasks.get(task.id)!.tags).toEqual(['invoice', 'q3', 'urgent']);
    await data('remove_tag', { task_id: task.id, tag: 'q3' });
    expect(mock.state.tasks.get(task.id)!.tags).toEqual(['invoice', 'urgent']);
  });

  it('add_comment adds a comment as the token\'s user', async () => {
    const task = mock.state.findTask('Chase Initech for the PO number')!;
    const added = await data('add_comment', { task_id: task.id, text: 'Emailed their procurement team.', assignee: users.ben });
    const stored = mock.state.commentsOf(task.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: added.id, text: 'Emailed their procurement team.', userId: users.alice, assignee: users.ben });
    const { comments } = await data('get_comments', { task_id: task.id });
    expect(comments.map((c: { text: string }) => c.text)).toEqual(['Emailed their procurement team.']);
  });

  it('get_time_entries and add_time_entry read and log time', async () => {
    const mine = await data('get_time_entries', { team_id: teamId });
    expect(mine.entries.map((e: { description: string }) => e.description)).toEqual(['Reviewed supplier MSA', 'Drafted reminder email']);
    expect(mine.total_minutes).toBe(120);
    const everyone = await data('get_time_entries', { team_id: teamId, assignees: [users.alice, users.dan] });
    expect(everyone.total_minutes).toBe(165);

    const task = mock.state.findTask('Chase Initech for the PO number')!;
    const { entry } = await data('add_time_entry', { team_id: teamId, task_id: task.id, duration_minutes: 25, description: 'Call with Initech', billable: true });
    expect(entry).toMatchObject({ duration_minutes: 25, billable: true, task: { id: task.id }, user: { id: users.alice } });
    const stored = mock.state.timeEntries.find((e) => e.id === entry.id)!;
    expect(stored).toMatchObject({ taskId: task.id, duration: 25 * 60_000, billable: true, userId: users.alice });

    const onTask = await data('get_time_entries', { team_id: teamId, task_id: task.id });
    expect(onTask.entries.map((e: { id: string }) => e.id)).toEqual([entry.id]);
  });

  it('move_task moves a task and its subtasks to another list, mapping the status', async () => {
    const task = mock.state.findTask('Chase invoice INV-1042 (Globex)')!;
    const subtask = mock.state.findTask('Attach remittance advice')!;
    const moved = await data('move_task', {
      task_id: task.id, list_id: lists.vendorOnboarding, status_mappings: [{ from: 'awaiting payment', to: 'review' }],
    });
    expect(moved.from_list).toEqual({ id: lists.accountsReceivable, name: 'Accounts Receivable' });
    expect(moved.task).toMatchObject({ id: task.id, list: { id: lists.vendorOnboarding, name: 'Vendor Onboarding' }, status: 'review' });
    expect(mock.state.findTask(task.name, 'Vendor Onboarding')).toBeDefined();
    expect(mock.state.findTask(task.name, 'Accounts Receivable')).toBeUndefined();
    expect(mock.state.tasks.get(subtask.id)).toMatchObject({ listId: lists.vendorOnboarding, status: 'open' });
    expect(mock.server.requests.some((r) => r.method === 'PUT' && r.path === `/api/v3/workspaces/${teamId}/tasks/${task.id}/home_list/${lists.vendorOnboarding}`)).toBe(true);
  });

  it('delete_task deletes the task and its subtasks; a second look finds nothing', async () => {
    const task = mock.state.findTask('Chase Initech for the PO number')!;
    const sub = mock.state.findTask('Find the PO email')!;
    expect(await data('delete_task', { task_id: task.id })).toEqual({ deleted: true, task_id: task.id });
    expect(mock.state.tasks.has(task.id)).toBe(false);
    expect(mock.state.tasks.has(sub.id)).toBe(false);

    const text = await failure('get_task', { task_id: task.id });
    expect(text).toContain('Task not found, deleted');
    expect(text).toContain('ITEM_013');
    expect(text).toContain('search_tasks');
  });

  it('rejects bad arguments before calling ClickUp', async () => {
    const before = mock.server.requests.length;
    expect(await failure('create_task', { list_id: lists.followUps })).toMatch(/name/);
    expect(await failure('create_task', { list_id: lists.followUps, name: 'x', due_date: 'next tuesday' })).toMatch(/ISO 8601/);
    expect(await failure('search_tasks', { list_id: lists.office, team_id: teamId })).toMatch(/exactly one of list_id, team_id/);
    expect(mock.server.requests.length).toBe(before);
  });
});

describe('pagination', () => {
  it('pages 100 tasks at a time and all_pages collects them all', async () => {
    const seeded = mock.state.seedTasks(lists.office, 150, 'Scan receipt');
    const expected = new Set(mock.state.tasksInList(lists.office).map((t) => t.id));
    expect(expected.size).toBe(151);

    const first = await data('search_tasks', { list_id: lists.office });
    expect(first).toMatchObject({ count: 100, next_page: 1 });
    const second = await data('search_tasks', { list_id: lists.office, page: 1 });
    expect(second).toMatchObject({ count: 51, first_page: 1, next_page: null });
    const paged = new Set([...first.tasks, ...second.tasks].map((t: { id: string }) => t.id));
    expect(paged).toEqual(expected);

    const all = await data('search_tasks', { list_id: lists.office, all_pages: true });
    expect(all).toMatchObject({ count: 151, pages_fetched: 2, next_page: null });
    expect(new Set(all.tasks.map((t: { id: string }) => t.id))).toEqual(expected);

    const workspaceWide = await data('search_tasks', { team_id: teamId, list_ids: [lists.office], all_pages: true, name_contains: 'scan receipt 1' });
    // "Scan receipt 1", 10-19, 100-150: 1 + 10 + 51.
    expect(workspaceWide.count).toBe(62);
    expect(workspaceWide.tasks.every((t: { name: string }) => t.name.startsWith('Scan receipt 1'))).toBe(true);

    const pages = mock.server.requests.filter((r) => r.path === `/api/v2/list/${lists.office}/task`).map((r) => r.query.page);
    expect(pages).toEqual(['0', '1', '0', '1']);
    expect(seeded).toHaveLength(150);
  });
});

describe('failures', () => {
  it('honours Retry-After on 429 and then succeeds', async () => {
    const task = mock.state.findTask('Pay AWS bill (August)')!;
    mock.server.setFaults({ rateLimit: { count: 1, retryAfterSec: 1 } });
    const from = mock.server.requests.length;
    const got = await data('get_task', { task_id: task.id });
    expect(got.name).toBe('Pay AWS bill (August)');
    const attempts = mock.server.requests.slice(from).filter((r) => r.path === `/api/v2/task/${task.id}`);
    expect(attempts).toHaveLength(2);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(1000);
  });

  it('reports a 429 that outlasts the retries with the wait', async () => {
    mock.server.setFaults({ rateLimit: { count: 10, retryAfterSec: 0 } });
    const text = await failure('get_workspaces');
    expect(text).toContain('HTTP 429');
    expect(text).toContain('Rate limit reached');
    expect(text).toMatch(/wait .* and retry/);
  });

  it('retries a 500 and succeeds; a lasting 500 is a tool error', async () => {
    mock.server.setFaults({ serverError: { count: 1 } });
    expect((await data('get_workspaces')).workspaces).toHaveLength(1);

    mock.server.setFaults({ serverError: { count: 10 } });
    const from = mock.server.requests.length;
    const text = await failure('get_workspaces');
    expect(text).toContain('HTTP 500');
    expect(text).toContain('server error');
    expect(mock.server.requests.length - from).toBe(3); // first attempt + CLICKUP_MAX_RETRIES=2
  });

  it('reports malformed JSON as a tool error', async () => {
    mock.server.setFaults({ malformed: { count: 1 } });
    const text = await failure('get_workspaces');
    expect(text).toContain('malformed JSON');
    expect(text).toContain('CLICKUP_API_URL');
    // The server is still there afterwards.
    expect((await data('get_workspaces')).workspaces).toHaveLength(1);
  });

  it('times out after CLICKUP_TIMEOUT_MS', async () => {
    const impatient = await connect(serverEnv({ CLICKUP_TIMEOUT_MS: '200' }));
    try {
      mock.server.setFaults({ slowMs: 1500 });
      const text = await failure('get_workspaces', {}, impatient);
      expect(text).toContain('timed out after 200 ms');
      expect(text).toContain('CLICKUP_TIMEOUT_MS');
    } finally {
      await impatient.close();
    }
  });

  it('a rejected token is a tool error with a hint, and the token is never shown', async () => {
    const badToken = 'pk_81000001_REVOKEDTOKENXYZ';
    const rejected = await connect(serverEnv({ CLICKUP_API_TOKEN: badToken }));
    try {
      const text = await failure('search_tasks', { list_id: lists.followUps }, rejected);
      expect(text).toContain('Token invalid');
      expect(text).toContain('OAUTH_025');
      expect(text).toContain('token rejected: check CLICKUP_API_TOKEN');
      expect(text).not.toContain(badToken);
      expect(rejected.stderr()).not.toContain(badToken);
    } finally {
      await rejected.close();
    }
  });

  it('refuses to start without CLICKUP_API_TOKEN', async () => {
    const child = spawn(process.execPath, [ENTRY], { env: { PATH: process.env.PATH ?? '', CLICKUP_API_URL: mock.url }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdout.on('data', (d) => (stdout += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('CLICKUP_API_TOKEN is not set');
    expect(stdout).toBe('');
  });
});
