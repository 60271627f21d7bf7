// Tasks: search, read, create (and subtasks), update (incl. assignees), delete, move between lists.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ClickUpApi, RawTask } from '../api.js';
import { taskDetail, taskDetailSchema, taskLine, taskSummary, taskSummarySchema } from '../format.js';
import { PRIORITY, exactlyOne, hasTime, isoDate, listId, priority, statusName, tagName, taskId, teamId, toMs, userIds } from '../inputs.js';
import { ArgumentError, CHANGE, CREATE, DESTROY, READ, defineTool } from '../tool.js';

/** Pages all_pages will walk at most (100 tasks each), so one call cannot run away on a huge workspace. */
const MAX_PAGES = 10;
const TASK_404 = 'check task_id: search_tasks finds task ids (get_task confirms one).';

const detailShape = taskDetailSchema.shape;
const detailText = (verb: string, t: ReturnType<typeof taskDetail>) => `${verb} ${taskLine(t)}\n${t.url}`;

/** Fields shared by create_task and create_subtask. */
const newTaskFields = {
  name: z.string().trim().min(1).max(1000).describe('Task name'),
  description: z.string().max(100_000).optional().describe('Plain-text description'),
  status: statusName.optional().describe('Initial status; defaults to the list\'s first status (get_spaces lists them)'),
  priority: priority.optional(),
  assignees: userIds('Assign to').optional(),
  tags: z.array(tagName).max(20).optional().describe('Tag names; a tag new to the space is created'),
  due_date: isoDate.optional(),
  start_date: isoDate.optional(),
  time_estimate_minutes: z.number().int().positive().max(1_000_000).optional(),
};
type NewTask = { [K in keyof typeof newTaskFields]?: z.infer<(typeof newTaskFields)[K]> };

function newTaskBody(a: NewTask): Record<string, unknown> {
  return {
    name: a.name,
    description: a.description,
    status: a.status,
    priority: a.priority && PRIORITY[a.priority],
    assignees: a.assignees,
    tags: a.tags,
    ...(a.due_date ? { due_date: toMs(a.due_date), due_date_time: hasTime(a.due_date) } : {}),
    ...(a.start_date ? { start_date: toMs(a.start_date), start_date_time: hasTime(a.start_date) } : {}),
    time_estimate: a.time_estimate_minutes && a.time_estimate_minutes * 60_000,
  };
}

export function registerTaskTools(server: McpServer, api: ClickUpApi): void {
  defineTool(server, {
    name: 'search_tasks',
    title: 'Find ClickUp tasks',
    description:
      'Find tasks with filters. Give list_id (one list, from get_folders/get_lists) or team_id (whole workspace, from get_workspaces; ' +
      'narrow it with list_ids, folder_ids, space_ids). Filters: statuses, assignees (user ids from get_workspaces), tags (any of), ' +
      'due_after/due_before, name_contains. Closed tasks and subtasks are left out unless include_closed/include_subtasks. ' +
      'Results come 100 per page, newest first: pass page (0-based) for more, or all_pages to fetch up to 1000 at once. ' +
      'name_contains filters the fetched pages, so use it with all_pages to search a whole list.',
    input: {
      list_id: listId.optional(),
      team_id: teamId.optional(),
      list_ids: z.array(z.string().min(1)).max(50).optional().describe('With team_id: only these lists'),
      folder_ids: z.array(z.string().min(1)).max(50).optional().describe('With team_id: only these folders (get_folders)'),
      space_ids: z.array(z.string().min(1)).max(50).optional().describe('With team_id: only these spaces (get_spaces)'),
      statuses: z.array(statusName).max(20).optional().describe('Only these statuses (any of); includes closed ones named here'),
      assignees: userIds('Only tasks assigned to any of').optional(),
      tags: z.array(tagName).max(20).optional().describe('Only tasks with any of these tags'),
      due_after: isoDate.optional().describe('Only tasks due after this ISO 8601 date/time'),
      due_before: isoDate.optional().describe('Only tasks due before this ISO 8601 date/time'),
      name_contains: z.string().min(1).max(200).optional().describe('Case-insensitive substring of the task name'),
      include_closed: z.boolean().optional().describe('Include closed/done tasks (default false)'),
      include_subtasks: z.boolean().optional().describe('Include subtasks (default false)'),
      order_by: z.enum(['created', 'updated', 'due_date']).optional().describe('Default created'),
      reverse: z.boolean().optional().describe('Oldest/earliest first instead of newest first'),
      page: z.number().int().min(0).max(10_000).optional().describe('0-based page of 100 tasks (default 0)'),
      all_pages: z.boolean().optional().describe(`Fetch pages from \`page\` on until the last (at most ${MAX_PAGES})`),
    },
    output: {
      tasks: z.array(taskSummarySchema),
      count: z.number(),
      first_page: z.number(),
      pages_fetched: z.number(),
      next_page: z.number().nullable().describe('Pass as page to continue; null when there are no more'),
    },
    annotations: READ,
    notFoundHint: 'check list_id: get_folders and get_lists list valid list ids.',
    async run(a) {
      const scope = exactlyOne(a, ['list_id', 'team_id']);
      if (scope === 'list_id' && (a.list_ids || a.folder_ids || a.space_ids)) {
        throw new ArgumentError('list_ids, folder_ids and space_ids go with team_id, not list_id');
      }
      const query = {
        include_closed: a.include_closed,
        subtasks: a.include_subtasks,
        statuses: a.statuses,
        assignees: a.assignees,
        tags: a.tags,
        due_date_gt: a.due_after && toMs(a.due_after),
        due_date_lt: a.due_before && toMs(a.due_before),
        order_by: a.order_by,
        reverse: a.reverse,
        list_ids: a.list_ids,
        project_ids: a.folder_ids,
        space_ids: a.space_ids,
      };
      const firstPage = a.page ?? 0;
      const found: RawTask[] = [];
      let page = firstPage;
      let lastPage = false;
      do {
        const q = { ...query, page };
        const result = scope === 'list_id' ? await api.listTasks(a.list_id!, q) : await api.teamTasks(a.team_id!, q);
        found.push(...result.tasks);
        // Older responses of the team endpoint carry no last_page; a short page means the end.
        lastPage = result.last_page ?? result.tasks.length < 100;
        page++;
      } while (a.all_pages && !lastPage && page - firstPage < MAX_PAGES);

      const needle = a.name_contains?.toLowerCase();
      const tasks = found.filter((t) => !needle || t.name.toLowerCase().includes(needle)).map(taskSummary);
      const nextPage = lastPage ? null : page;
      const lines = tasks.map(taskLine);
      const more = nextPage === null ? '' : `\nMore tasks: call again with page=${nextPage}.`;
      return {
        data: { tasks, count: tasks.length, first_page: firstPage, pages_fetched: page - firstPage, next_page: nextPage },
        text: `${tasks.length} task(s) found.${lines.length ? '\n' + lines.join('\n') : ''}${more}`,
      };
    },
  });

  defineTool(server, {
    name: 'get_task',
    title: 'Get one task',
    description:
      'Get a task\'s full details: description, status, dates, assignees, tags, custom field values, parent, and optionally its subtasks. ' +
      'Needs task_id (from search_tasks).',
    input: { task_id: taskId, include_subtasks: z.boolean().optional().describe('Also return the task\'s subtasks') },
    output: detailShape,
    annotations: READ,
    notFoundHint: TASK_404,
    async run({ task_id, include_subtasks }) {
      const task = taskDetail(await api.task(task_id, include_subtasks));
      const fields = task.custom_fields.filter((f) => f.display !== null).map((f) => `${f.name}: ${f.display}`);
      const text = [taskLine(task), task.description, fields.length ? `Fields: ${fields.join('; ')}` : '', task.url].filter(Boolean).join('\n');
      return { data: task, text };
    },
  });

  defineTool(server, {
    name: 'create_task',
    title: 'Create a task',
    description:
      'Create a task in a list. Needs list_id (from get_folders or get_lists). Optional: description, status (from get_spaces), ' +
      'priority, assignees (user ids from get_workspaces), tags, due/start dates, time estimate, custom field values ' +
      '(field ids from get_custom_fields). For a subtask use create_subtask.',
    input: {
      list_id: listId,
      ...newTaskFields,
      custom_fields: z
        .array(z.object({ id: z.string().min(1).describe('Custom field id (get_custom_fields)'), value: z.unknown() }))
        .max(50)
        .optional()
        .describe('Values to set; drop_down takes the option\'s orderindex or id, currency/number a number, text a string'),
    },
    output: detailShape,
    annotations: CREATE,
    notFoundHint: 'check list_id: get_folders and get_lists list valid list ids.',
    async run(a) {
      const task = taskDetail(await api.createTask(a.list_id, { ...newTaskBody(a), custom_fields: a.custom_fields }));
      return { data: task, text: detailText('Created', task) };
    },
  });

  defineTool(server, {
    name: 'create_subtask',
    title: 'Create a subtask',
    description:
      'Create a subtask under an existing task, in the parent\'s list. Needs parent_task_id (from search_tasks). ' +
      'Takes the same optional fields as create_task.',
    input: { parent_task_id: taskId.describe('Parent task id (from search_tasks)'), ...newTaskFields },
    output: detailShape,
    annotations: CREATE,
    notFoundHint: 'check parent_task_id: search_tasks finds task ids.',
    async run(a) {
      const parent = await api.task(a.parent_task_id);
      // ClickUp requires a subtask to live in its parent's list.
      const task = taskDetail(await api.createTask(parent.list.id, { ...newTaskBody(a), parent: parent.id }));
      return { data: task, text: detailText(`Created subtask of ${parent.name}:`, task) };
    },
  });

  defineTool(server, {
    name: 'update_task',
    title: 'Update a task',
    description:
      'Change a task\'s name, description, status, priority, dates, time estimate or assignees (add/remove user ids), or archive it. ' +
      'Needs task_id (from search_tasks); only the fields given change. Pass null to clear priority, due_date or start_date. ' +
      'Valid statuses come from get_spaces, user ids from get_workspaces. Tags: add_tag/remove_tag; list: move_task.',
    input: {
      task_id: taskId,
      name: z.string().trim().min(1).max(1000).optional(),
      description: z.string().max(100_000).optional().describe('Replaces the description (plain text)'),
      status: statusName.optional(),
      priority: priority.nullable().optional().describe('urgent, high, normal, low; null clears'),
      due_date: isoDate.nullable().optional().describe('ISO 8601 date/time; null clears'),
      start_date: isoDate.nullable().optional().describe('ISO 8601 date/time; null clears'),
      time_estimate_minutes: z.number().int().positive().max(1_000_000).nullable().optional(),
      add_assignees: userIds('Add assignees').optional(),
      remove_assignees: userIds('Remove assignees').optional(),
      archived: z.boolean().optional(),
    },
    output: detailShape,
    annotations: CHANGE,
    notFoundHint: TASK_404,
    async run(a) {
      const body: Record<string, unknown> = {
        name: a.name,
        description: a.description,
        status: a.status,
        archived: a.archived,
      };
      if (a.priority !== undefined) body.priority = a.priority === null ? null : PRIORITY[a.priority];
      for (const key of ['due_date', 'start_date'] as const) {
        const v = a[key];
        if (v === undefined) continue;
        body[key] = v === null ? null : toMs(v);
        if (v !== null) body[`${key}_time`] = hasTime(v);
      }
      if (a.time_estimate_minutes !== undefined) body.time_estimate = a.time_estimate_minutes === null ? null : a.time_estimate_minutes * 60_000;
      if (a.add_assignees || a.remove_assignees) body.assignees = { add: a.add_assignees ?? [], rem: a.remove_assignees ?? [] };
      if (Object.values(body).every((v) => v === undefined)) throw new ArgumentError('nothing to change: give at least one field besides task_id');
      const task = taskDetail(await api.updateTask(a.task_id, body));
      return { data: task, text: detailText('Updated', task) };
    },
  });

  defineTool(server, {
    name: 'delete_task',
    title: 'Delete a task',
    description:
      'Permanently delete a task with its subtasks and comments. Cannot be undone from here; prefer update_task ' +
      'with a closed status or archived=true when the task should only be put away. Needs task_id (from search_tasks).',
    input: { task_id: taskId },
    output: { deleted: z.boolean(), task_id: z.string() },
    annotations: DESTROY,
    notFoundHint: `${TASK_404} (It may already be deleted.)`,
    async run({ task_id }) {
      await api.deleteTask(task_id);
      return { data: { deleted: true, task_id }, text: `Deleted task ${task_id}.` };
    },
  });

  defineTool(server, {
    name: 'move_task',
    title: 'Move a task to another list',
    description:
      'Move a task (with its subtasks) to another list, which becomes its home list. Needs task_id (from search_tasks) and list_id ' +
      '(destination, from get_folders or get_lists). If the task\'s status does not exist in the destination, give status_mappings ' +
      'or it takes the destination\'s first status. move_custom_fields carries the custom fields over.',
    input: {
      task_id: taskId,
      list_id: listId.describe('Destination list id (from get_folders or get_lists)'),
      move_custom_fields: z.boolean().optional().describe('Add the current list\'s custom fields to the destination'),
      status_mappings: z
        .array(z.object({ from: statusName, to: statusName }))
        .max(20)
        .optional()
        .describe('Status in the old list -> status in the new one'),
    },
    output: { task: taskSummarySchema, from_list: z.object({ id: z.string(), name: z.string() }) },
    annotations: CHANGE,
    notFoundHint: 'check task_id (search_tasks) and list_id (get_folders or get_lists).',
    async run(a) {
      const before = await api.task(a.task_id);
      const from = { id: before.list.id, name: before.list.name };
      if (before.list.id !== a.list_id) {
        await api.moveTask(before.team_id, before.id, a.list_id, {
          move_custom_fields: a.move_custom_fields,
          status_mappings: a.status_mappings?.map((m) => ({ source_status: m.from, destination_status: m.to })),
        });
      }
      const task = taskSummary(await api.task(a.task_id));
      return { data: { task, from_list: from }, text: `Moved from list ${from.name}: ${taskLine(task)}` };
    },
  });
}
