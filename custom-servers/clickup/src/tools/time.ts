// Time tracking: read and log time entries.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ClickUpApi } from '../api.js';
import { timeEntry, timeEntrySchema } from '../format.js';
import { isoDate, listId, taskId, teamId, toMs, userIds } from '../inputs.js';
import { CREATE, READ, defineTool } from '../tool.js';

type Entry = z.infer<typeof timeEntrySchema>;
const entryLine = (e: Entry) =>
  `${e.start?.slice(0, 16) ?? '?'} ${e.user.username} ${e.duration_minutes} min${e.task ? ` on ${e.task.name}` : ''}${e.description ? `: ${e.description}` : ''}${e.billable ? ' (billable)' : ''}`;

export function registerTimeTools(server: McpServer, api: ClickUpApi): void {
  defineTool(server, {
    name: 'get_time_entries',
    title: 'List time entries',
    description:
      'List time entries in a workspace, newest first, with their total. Needs team_id (from get_workspaces). By default: the token user\'s ' +
      'entries of the last 30 days; narrow with start_date/end_date, task_id (search_tasks) or list_id; assignees (user ids from ' +
      'get_workspaces) needs an admin token.',
    input: {
      team_id: teamId,
      start_date: isoDate.optional().describe('Entries starting at or after this ISO 8601 date/time'),
      end_date: isoDate.optional().describe('Entries starting at or before this ISO 8601 date/time'),
      assignees: userIds('Whose entries (default: the token\'s user)').optional(),
      task_id: taskId.optional(),
      list_id: listId.optional(),
    },
    output: { entries: z.array(timeEntrySchema), total_minutes: z.number() },
    annotations: READ,
    notFoundHint: 'check task_id (search_tasks) and list_id (get_folders or get_lists).',
    async run(a) {
      const { data } = await api.timeEntries(a.team_id, {
        start_date: a.start_date && toMs(a.start_date),
        end_date: a.end_date && toMs(a.end_date),
        // This endpoint takes a comma-separated list, not assignee[]=.
        assignee: a.assignees?.join(','),
        task_id: a.task_id,
        list_id: a.list_id,
      });
      const entries = data.map(timeEntry);
      const total = entries.reduce((n, e) => n + e.duration_minutes, 0);
      return {
        data: { entries, total_minutes: total },
        text: `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ${total} min in all.${entries.length ? '\n' + entries.map(entryLine).join('\n') : ''}`,
      };
    },
  });

  defineTool(server, {
    name: 'add_time_entry',
    title: 'Log time on a task',
    description:
      'Log a finished block of time on a task. Needs team_id (get_workspaces) and task_id (search_tasks). start defaults to ' +
      'duration_minutes before now; assignee (a user id from get_workspaces) logs it for someone else (admin token needed).',
    input: {
      team_id: teamId,
      task_id: taskId,
      duration_minutes: z.number().positive().max(24 * 60 * 31).describe('How long, in minutes'),
      start: isoDate.optional().describe('When the work started (ISO 8601); default: now minus the duration'),
      description: z.string().max(5000).optional(),
      billable: z.boolean().optional(),
      assignee: z.number().int().positive().optional().describe('User id (get_workspaces); default the token\'s user'),
    },
    output: { entry: timeEntrySchema },
    annotations: CREATE,
    notFoundHint: 'check task_id: search_tasks finds task ids.',
    async run(a) {
      const duration = Math.round(a.duration_minutes * 60_000);
      const start = a.start ? toMs(a.start) : Date.now() - duration;
      const { data } = await api.addTimeEntry(a.team_id, {
        tid: a.task_id,
        start,
        duration,
        description: a.description,
        billable: a.billable ?? false,
        assignee: a.assignee,
      });
      const entry = timeEntry(data);
      return { data: { entry }, text: `Logged: ${entryLine(entry)}` };
    },
  });
}
