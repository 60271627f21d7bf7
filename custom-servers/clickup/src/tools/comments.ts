// Task comments: read the thread, add to it.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ClickUpApi } from '../api.js';
import { comment, commentSchema, iso } from '../format.js';
import { taskId } from '../inputs.js';
import { CREATE, READ, defineTool } from '../tool.js';

const TASK_404 = 'check task_id: search_tasks finds task ids.';

export function registerCommentTools(server: McpServer, api: ClickUpApi): void {
  defineTool(server, {
    name: 'get_comments',
    title: 'List a task\'s comments',
    description: 'List the comments on a task, newest first, with author, date and whether resolved. Needs task_id (from search_tasks).',
    input: { task_id: taskId },
    output: { comments: z.array(commentSchema) },
    annotations: READ,
    notFoundHint: TASK_404,
    async run({ task_id }) {
      const comments = (await api.comments(task_id)).comments.map(comment);
      const text = comments.map((c) => `${c.date?.slice(0, 16) ?? '?'} ${c.user.username}: ${c.text}`).join('\n');
      return { data: { comments }, text: text || 'No comments.' };
    },
  });

  defineTool(server, {
    name: 'add_comment',
    title: 'Comment on a task',
    description:
      'Add a comment to a task, as the token\'s user. Needs task_id (from search_tasks). Optionally assign the comment to a user ' +
      '(user id from get_workspaces) or notify everyone watching the task.',
    input: {
      task_id: taskId,
      text: z.string().trim().min(1).max(50_000).describe('Comment text'),
      assignee: z.number().int().positive().optional().describe('Assign the comment to this user id (get_workspaces)'),
      notify_all: z.boolean().optional().describe('Notify all watchers, including the author (default false)'),
    },
    output: { id: z.string(), task_id: z.string(), date: z.string().nullable() },
    annotations: CREATE,
    notFoundHint: TASK_404,
    async run(a) {
      const result = await api.addComment(a.task_id, { comment_text: a.text, assignee: a.assignee, notify_all: a.notify_all ?? false });
      const data = { id: String(result.id), task_id: a.task_id, date: iso(result.date) };
      return { data, text: `Comment ${data.id} added to task ${a.task_id}.` };
    },
  });
}
