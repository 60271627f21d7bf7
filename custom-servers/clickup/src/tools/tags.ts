// Tags on a task. ClickUp has dedicated endpoints for these; update_task does not touch tags.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ClickUpApi } from '../api.js';
import { tagName, taskId } from '../inputs.js';
import { CHANGE, defineTool } from '../tool.js';

const output = { task_id: z.string(), tag: z.string() };
const TASK_404 = 'check task_id: search_tasks finds task ids.';

export function registerTagTools(server: McpServer, api: ClickUpApi): void {
  defineTool(server, {
    name: 'add_tag',
    title: 'Tag a task',
    description:
      'Add a tag to a task (a tag new to the space is created). Needs task_id (from search_tasks). Adding a tag the task already has changes nothing.',
    input: { task_id: taskId, tag: tagName },
    output,
    annotations: CHANGE,
    notFoundHint: TASK_404,
    async run({ task_id, tag }) {
      await api.addTag(task_id, tag);
      return { data: { task_id, tag: tag.toLowerCase() }, text: `Tag "${tag.toLowerCase()}" added to task ${task_id}.` };
    },
  });

  defineTool(server, {
    name: 'remove_tag',
    title: 'Remove a tag from a task',
    description:
      'Remove a tag from a task; the tag stays defined in the space. Needs task_id (from search_tasks); the task\'s tags are shown by get_task.',
    input: { task_id: taskId, tag: tagName },
    output,
    annotations: CHANGE,
    notFoundHint: TASK_404,
    async run({ task_id, tag }) {
      await api.removeTag(task_id, tag);
      return { data: { task_id, tag: tag.toLowerCase() }, text: `Tag "${tag.toLowerCase()}" removed from task ${task_id}.` };
    },
  });
}
