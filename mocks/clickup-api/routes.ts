// The ClickUp API v2 endpoints the MCP server uses (plus v3 "move task", which v2 lacks), on MockHttpServer.
// Validation and error bodies follow the real API: {err, ECODE}, 401 "Team not authorized" for a
// workspace the token cannot see, 404 ITEM_013 for a missing task. ECODEs other than those the brief
// lists (OAUTH_025, ITEM_013) are approximations of ClickUp's.
import type { MockHttpServer, MockRequest, MockResponse } from '../lib/mock-http.js';
import type { ClickUpState, Task } from './state.js';
import { renderComment, renderField, renderFolder, renderList, renderSpace, renderTask, renderTeam, renderTimeEntry, user } from './render.js';

export const V2 = '/api/v2';
export const V3 = '/api/v3';
const PAGE_SIZE = 100;
const DAY = 86_400_000;

export const err = (status: number, message: string, code: string): MockResponse => ({ status, body: { err: message, ECODE: code } });
const ok = (body: unknown): MockResponse => ({ status: 200, body });

/** Query arrays come as key[]=a&key[]=b; accept a bare key too, as the API does. */
const many = (q: URLSearchParams, key: string) => [...q.getAll(`${key}[]`), ...q.getAll(key)];
const msParam = (q: URLSearchParams, key: string) => (q.has(key) ? Number(q.get(key)) : undefined);

export function registerRoutes(server: MockHttpServer, state: ClickUpState): void {
  const team = (id: string) => state.teams.get(id);
  const teamDenied = () => err(401, 'Team not authorized', 'OAUTH_027');
  const taskMissing = () => err(404, 'Task not found, deleted', 'ITEM_013');

  server.route('GET', `${V2}/user`, () => ok({ user: { ...user(state.users.get(state.authUserId)!), week_start_day: 1, timezone: 'Europe/London' } }));

  server.route('GET', `${V2}/team`, () => ok({ teams: [...state.teams.keys()].map((id) => renderTeam(state, id)) }));

  server.route('GET', `${V2}/team/:team_id/space`, (req) => {
    if (!team(req.params.team_id)) return teamDenied();
    return ok({ spaces: [...state.spaces.values()].filter((s) => s.teamId === req.params.team_id).map(renderSpace) });
  });

  server.route('GET', `${V2}/space/:space_id`, (req) => {
    const space = state.spaces.get(req.params.space_id);
    return space ? ok(renderSpace(space)) : err(404, 'Space not found', 'PROJ_005');
  });

  server.route('GET', `${V2}/space/:space_id/folder`, (req) => {
    if (!state.spaces.has(req.params.space_id)) return err(404, 'Space not found', 'PROJ_005');
    const folders = [...state.folders.values()].filter((f) => f.spaceId === req.params.space_id && !f.hidden);
    return ok({ folders: folders.map((f) => renderFolder(state, f)) });
  });

  server.route('GET', `${V2}/space/:space_id/list`, (req) => {
    if (!state.spaces.has(req.params.space_id)) return err(404, 'Space not found', 'PROJ_005');
    const hidden = [...state.folders.values()].filter((f) => f.spaceId === req.params.space_id && f.hidden).map((f) => f.id);
    return ok({ lists: [...state.lists.values()].filter((l) => hidden.includes(l.folderId)).map((l) => renderList(state, l)) });
  });

  server.route('GET', `${V2}/space/:space_id/tag`, (req) => {
    const space = state.spaces.get(req.params.space_id);
    return space ? ok({ tags: space.tags }) : err(404, 'Space not found', 'PROJ_005');
  });

  server.route('GET', `${V2}/folder/:folder_id`, (req) => {
    const folder = state.folders.get(req.params.folder_id);
    return folder ? ok(renderFolder(state, folder)) : err(404, 'Folder not found', 'CAT_001');
  });

  server.route('GET', `${V2}/folder/:folder_id/list`, (req) => {
    if (!state.folders.has(req.params.folder_id)) return err(404, 'Folder not found', 'CAT_001');
    return ok({ lists: [...state.lists.values()].filter((l) => l.folderId === req.params.folder_id).map((l) => renderList(state, l)) });
  });

  server.route('GET', `${V2}/list/:list_id`, (req) => {
    const list = state.lists.get(req.params.list_id);
    return list ? ok(renderList(state, list)) : err(404, 'List not found', 'SUBCAT_016');
  });

  server.route('GET', `${V2}/list/:list_id/field`, (req) => {
    if (!state.lists.has(req.params.list_id)) return err(404, 'List not found', 'SUBCAT_016');
    return ok({ fields: [...state.fields.values()].filter((f) => f.listIds.includes(req.params.list_id)).map(renderField) });
  });

  server.route('GET', `${V2}/list/:list_id/task`, (req) => {
    if (!state.lists.has(req.params.list_id)) return err(404, 'List not found', 'SUBCAT_016');
    return taskPage(state, req, (t) => t.listId === req.params.list_id);
  });

  server.route('GET', `${V2}/team/:team_id/task`, (req) => {
    if (!team(req.params.team_id)) return teamDenied();
    const lists = many(req.query, 'list_ids');
    const spaces = many(req.query, 'space_ids');
    const folders = many(req.query, 'project_ids');
    return taskPage(state, req, (t) => {
      const list = state.listOf(t);
      if (state.teamOfList(list).id !== req.params.team_id) return false;
      if (lists.length && !lists.includes(list.id)) return false;
      if (folders.length && !folders.includes(list.folderId)) return false;
      return !spaces.length || spaces.includes(state.folderOf(list).spaceId);
    });
  });

  server.route('POST', `${V2}/list/:list_id/task`, (req) => {
    const listId = req.params.list_id;
    if (!state.lists.has(listId)) return err(404, 'List not found', 'SUBCAT_016');
    const b = req.body ?? {};
    if (typeof b.name !== 'string' || b.name.trim() === '') return err(400, 'Task name invalid', 'INPUT_005');
    if (b.parent !== undefined && b.parent !== null) {
      const parent = state.tasks.get(String(b.parent));
      if (!parent) return err(400, 'Parent task not found', 'ITEM_146');
      if (parent.listId !== listId) return err(400, 'Parent task must be in the same list', 'ITEM_147');
    }
    const task = state.addTask(listId, { name: b.name.trim() });
    const problem = applyTaskFields(state, task, b, 'create');
    if (problem) {
      state.tasks.delete(task.id);
      return problem;
    }
    if (b.parent) task.parent = String(b.parent);
    return ok(renderTask(state, task));
  });

  server.route('GET', `${V2}/task/:task_id`, (req) => {
    const task = lookupTask(state, req);
    if (!task) return taskMissing();
    return ok(renderTask(state, task, { subtasks: req.query.get('include_subtasks') === 'true' }));
  });

  server.route('PUT', `${V2}/task/:task_id`, (req) => {
    const task = lookupTask(state, req);
    if (!task) return taskMissing();
    const b = req.body ?? {};
    if (b.name !== undefined && (typeof b.name !== 'string' || b.name.trim() === '')) return err(400, 'Task name invalid', 'INPUT_005');
    // Validate on a copy so a rejected update changes nothing.
    const draft: Task = structuredClone(task);
    if (typeof b.name === 'string') draft.name = b.name.trim();
    const problem = applyTaskFields(state, draft, b, 'update');
    if (problem) return problem;
    if (typeof b.archived === 'boolean') draft.archived = b.archived;
    draft.date_updated = Date.now();
    Object.assign(task, draft);
    return ok(renderTask(state, task));
  });

  server.route('DELETE', `${V2}/task/:task_id`, (req) => {
    const task = lookupTask(state, req);
    if (!task) return taskMissing();
    state.deleteTask(task.id);
    return { status: 204, body: {} };
  });

  server.route('GET', `${V2}/task/:task_id/comment`, (req) => {
    const task = lookupTask(state, req);
    if (!task) return taskMissing();
    const comments = state.commentsOf(task.id).sort((a, b) => b.date - a.date);
    return ok({ comments: comments.map((c) => renderComment(state, c)) });
  });

  server.route('POST', `${V2}/task/:task_id/comment`, (req) => {
    const task = lookupTask(state, req);
    if (!task) return taskMissing();
    const b = req.body ?? {};
    if (typeof b.comment_text !== 'string' || b.comment_text.trim() === '') return err(400, 'Comment text invalid', 'COMM_001');
    if (b.assignee !== undefined && b.assignee !== null && !state.users.has(Number(b.assignee))) return err(400, 'Assignee not a member of this workspace', 'COMM_012');
    const comment = {
      id: state.nextId('numeric'), taskId: task.id, text: b.comment_text, userId: state.authUserId, date: Date.now(),
      resolved: false, assignee: b.assignee == null ? null : Number(b.assignee),
    };
    state.comments.push(comment);
    return ok({ id: Number(comment.id), hist_id: `hist_${comment.id}`, date: comment.date });
  });

  server.route('POST', `${V2}/task/:task_id/tag/:tag_name`, (req) => {
    const task = lookupTask(state, req);
    if (!task) return taskMissing();
    addTags(state, task, [req.params.tag_name]);
    task.date_updated = Date.now();
    return ok({});
  });

  server.route('DELETE', `${V2}/task/:task_id/tag/:tag_name`, (req) => {
    const task = lookupTask(state, req);
    if (!task) return taskMissing();
    const name = req.params.tag_name.toLowerCase();
    task.tags = task.tags.filter((t) => t !== name);
    task.date_updated = Date.now();
    return ok({});
  });

  server.route('POST', `${V2}/task/:task_id/field/:field_id`, (req) => {
    const task = lookupTask(state, req);
    if (!task) return taskMissing();
    const field = state.fields.get(req.params.field_id);
    if (!field || !field.listIds.includes(task.listId)) return err(400, 'Custom field not found on this list', 'FIELD_033');
    task.fieldValues[field.id] = req.body?.value;
    return ok({});
  });

  server.route('GET', `${V2}/team/:team_id/time_entries`, (req) => {
    if (!team(req.params.team_id)) return teamDenied();
    const q = req.query;
    const end = msParam(q, 'end_date') ?? Date.now();
    const start = msParam(q, 'start_date') ?? end - 30 * DAY;
    const assignees = (q.get('assignee') ?? String(state.authUserId)).split(',').map(Number);
    const taskId = q.get('task_id');
    const listId = q.get('list_id');
    const entries = state.timeEntries.filter((e) => {
      if (e.teamId !== req.params.team_id || !assignees.includes(e.userId)) return false;
      if (e.start < start || e.start > end) return false;
      if (taskId && e.taskId !== taskId) return false;
      return !listId || (e.taskId !== null && state.tasks.get(e.taskId)?.listId === listId);
    });
    return ok({ data: entries.sort((a, b) => b.start - a.start).map((e) => renderTimeEntry(state, e)) });
  });

  server.route('POST', `${V2}/team/:team_id/time_entries`, (req) => {
    if (!team(req.params.team_id)) return teamDenied();
    const b = req.body ?? {};
    if (typeof b.start !== 'number') return err(400, 'Start time required', 'TIMEENTRY_001');
    if (typeof b.duration !== 'number' || b.duration <= 0) return err(400, 'Duration must be a positive number of milliseconds', 'TIMEENTRY_002');
    if (b.tid !== undefined && !state.tasks.has(String(b.tid))) return taskMissing();
    const userId = b.assignee === undefined ? state.authUserId : Number(b.assignee);
    if (!state.teams.get(req.params.team_id)!.memberIds.includes(userId)) return err(400, 'Assignee not a member of this workspace', 'TIMEENTRY_010');
    const entry = {
      id: state.nextId('time'), teamId: req.params.team_id, taskId: b.tid === undefined ? null : String(b.tid), userId,
      start: b.start, duration: b.duration, description: typeof b.description === 'string' ? b.description : '',
      billable: b.billable === true, tags: Array.isArray(b.tags) ? b.tags.map((t: { name: string }) => t.name) : [], at: Date.now(),
    };
    state.timeEntries.push(entry);
    return ok({ data: renderTimeEntry(state, entry) });
  });

  // v3: the only public way to change a task's home list.
  server.route('PUT', `${V3}/workspaces/:workspace_id/tasks/:task_id/home_list/:list_id`, (req) => {
    if (!team(req.params.workspace_id)) return teamDenied();
    const task = state.tasks.get(req.params.task_id);
    if (!task) return taskMissing();
    const target = state.lists.get(req.params.list_id);
    if (!target) return err(404, 'List not found', 'SUBCAT_016');
    const b = req.body ?? {};
    const mappings: Array<{ source_status: string; destination_status: string }> = Array.isArray(b.status_mappings) ? b.status_mappings : [];
    const moving = [task, ...[...state.tasks.values()].filter((t) => t.parent === task.id)];
    for (const t of moving) {
      const from = t.listId;
      t.listId = target.id;
      const mapped = mappings.find((m) => m.source_status.toLowerCase() === t.status.toLowerCase())?.destination_status;
      const status = (mapped && state.findStatus(target.id, mapped)) || state.findStatus(target.id, t.status);
      t.status = (status ?? state.statusesOf(target.id)[0]).status;
      if (b.move_custom_fields === true) {
        const only: string[] | undefined = Array.isArray(b.custom_fields_to_move) ? b.custom_fields_to_move : undefined;
        for (const f of state.fields.values()) {
          if (f.listIds.includes(from) && !f.listIds.includes(target.id) && (!only || only.includes(f.id))) f.listIds.push(target.id);
        }
      }
      t.date_updated = Date.now();
    }
    return ok({});
  });
}

/** Supports ClickUp's custom task ids (?custom_task_ids=true&team_id=...). */
function lookupTask(state: ClickUpState, req: MockRequest): Task | undefined {
  const id = req.params.task_id;
  if (req.query.get('custom_task_ids') === 'true') return [...state.tasks.values()].find((t) => t.custom_id === id);
  return state.tasks.get(id);
}

function addTags(state: ClickUpState, task: Task, names: string[]): void {
  const space = state.spaceOfList(state.listOf(task));
  for (const raw of names) {
    const name = raw.toLowerCase(); // ClickUp stores tags lower-case
    if (!space.tags.some((t) => t.name === name)) space.tags.push({ name, tag_fg: '#000000', tag_bg: '#e0e0e0' });
    if (!task.tags.includes(name)) task.tags.push(name);
  }
}

/** Applies the body fields shared by create and update; returns an error response on invalid input. */
function applyTaskFields(state: ClickUpState, task: Task, b: any, mode: 'create' | 'update'): MockResponse | undefined {
  const members = state.teamOfList(state.listOf(task)).memberIds;
  if (b.markdown_description !== undefined || b.description !== undefined) task.description = String(b.markdown_description ?? b.description ?? '');
  if (b.status !== undefined && b.status !== null) {
    const status = state.findStatus(task.listId, String(b.status));
    if (!status) return err(400, 'Status does not exist', 'ITEM_114');
    task.status = status.status;
    const closed = status.type === 'closed' || status.type === 'done';
    task.date_closed = closed ? (task.date_closed ?? Date.now()) : null;
    task.date_done = task.date_closed;
  }
  if (b.priority !== undefined) {
    if (b.priority !== null && ![1, 2, 3, 4].includes(b.priority)) return err(400, 'Priority invalid', 'INPUT_003');
    task.priority = b.priority;
  }
  for (const key of ['due_date', 'start_date', 'time_estimate'] as const) {
    if (b[key] === undefined) continue;
    if (b[key] !== null && !Number.isFinite(Number(b[key]))) return err(400, `${key} invalid`, 'INPUT_002');
    task[key] = b[key] === null ? null : Number(b[key]);
  }
  if (typeof b.due_date_time === 'boolean') task.due_date_time = b.due_date_time;
  if (mode === 'create' && Array.isArray(b.assignees)) {
    if (b.assignees.some((id: unknown) => !members.includes(Number(id)))) return err(400, 'Assignee not a member of this workspace', 'ITEM_071');
    task.assignees = b.assignees.map(Number);
  }
  if (mode === 'update' && b.assignees && typeof b.assignees === 'object') {
    const add: number[] = (b.assignees.add ?? []).map(Number);
    const rem: number[] = (b.assignees.rem ?? []).map(Number);
    if (add.some((id) => !members.includes(id))) return err(400, 'Assignee not a member of this workspace', 'ITEM_071');
    task.assignees = [...new Set([...task.assignees.filter((id) => !rem.includes(id)), ...add])];
  }
  if (mode === 'create' && Array.isArray(b.tags)) addTags(state, task, b.tags.map(String));
  if (mode === 'create' && Array.isArray(b.custom_fields)) {
    for (const cf of b.custom_fields) {
      const field = state.fields.get(String(cf?.id));
      if (!field || !field.listIds.includes(task.listId)) return err(400, 'Custom field not found on this list', 'FIELD_033');
      task.fieldValues[field.id] = cf.value;
    }
  }
  return undefined;
}

/** The list and team task endpoints: filters, ordering and 100-per-page pagination with last_page. */
function taskPage(state: ClickUpState, req: MockRequest, scope: (t: Task) => boolean): MockResponse {
  const q = req.query;
  const page = q.has('page') ? Number(q.get('page')) : 0;
  if (!Number.isInteger(page) || page < 0) return err(400, 'Page must be a non-negative integer', 'INPUT_010');
  const statuses = many(q, 'statuses').map((s) => s.toLowerCase());
  const assignees = many(q, 'assignees').map(Number);
  const tags = many(q, 'tags').map((t) => t.toLowerCase());
  const bounds = {
    due_date_gt: msParam(q, 'due_date_gt'), due_date_lt: msParam(q, 'due_date_lt'),
    date_created_gt: msParam(q, 'date_created_gt'), date_created_lt: msParam(q, 'date_created_lt'),
    date_updated_gt: msParam(q, 'date_updated_gt'), date_updated_lt: msParam(q, 'date_updated_lt'),
  };
  const archived = q.get('archived') === 'true';
  const includeClosed = q.get('include_closed') === 'true';
  const subtasks = q.get('subtasks') === 'true';

  const matches = [...state.tasks.values()].filter((t) => {
    if (!scope(t) || t.archived !== archived) return false;
    if (!subtasks && t.parent !== null) return false;
    if (statuses.length ? !statuses.includes(t.status.toLowerCase()) : !includeClosed && state.isClosed(t)) return false;
    if (assignees.length && !t.assignees.some((a) => assignees.includes(a))) return false;
    if (tags.length && !t.tags.some((a) => tags.includes(a))) return false;
    const inRange = (v: number | null, gt?: number, lt?: number) =>
      (gt === undefined || (v !== null && v > gt)) && (lt === undefined || (v !== null && v < lt));
    return (
      inRange(t.due_date, bounds.due_date_gt, bounds.due_date_lt) &&
      inRange(t.date_created, bounds.date_created_gt, bounds.date_created_lt) &&
      inRange(t.date_updated, bounds.date_updated_gt, bounds.date_updated_lt)
    );
  });

  const orderBy = q.get('order_by') ?? 'created';
  const key = (t: Task): number =>
    orderBy === 'updated' ? t.date_updated : orderBy === 'due_date' ? (t.due_date ?? Number.MAX_SAFE_INTEGER) : t.date_created;
  // Newest first by default; `reverse=true` flips it. Array sort is stable, so seeding order breaks ties.
  const sign = q.get('reverse') === 'true' ? 1 : -1;
  matches.sort((a, b) => sign * (key(a) - key(b)));

  const slice = matches.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  return ok({ tasks: slice.map((t) => renderTask(state, t)), last_page: (page + 1) * PAGE_SIZE >= matches.length });
}
