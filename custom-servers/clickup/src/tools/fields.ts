// Custom field definitions of a list (values per task come with get_task).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ClickUpApi } from '../api.js';
import { listId } from '../inputs.js';
import { READ, defineTool } from '../tool.js';

export function registerFieldTools(server: McpServer, api: ClickUpApi): void {
  defineTool(server, {
    name: 'get_custom_fields',
    title: 'List a list\'s custom fields',
    description:
      'List the custom fields available on a list: id, name, type, and for drop-downs the options (a task\'s value is the option\'s orderindex). ' +
      'Needs list_id (from get_folders or get_lists). Field ids are what create_task\'s custom_fields takes; get_task shows the values.',
    input: { list_id: listId },
    output: {
      fields: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          type: z.string(),
          required: z.boolean(),
          options: z.array(z.object({ id: z.string(), name: z.string(), orderindex: z.number() })).optional(),
        }),
      ),
    },
    annotations: READ,
    notFoundHint: 'check list_id: get_folders and get_lists list valid list ids.',
    async run({ list_id }) {
      const { fields } = await api.listFields(list_id);
      const data = fields.map((f) => ({
        id: f.id,
        name: f.name,
        type: f.type,
        required: f.required ?? false,
        ...(f.type_config?.options ? { options: f.type_config.options.map(({ id, name, orderindex }) => ({ id, name, orderindex })) } : {}),
      }));
      const text = data
        .map((f) => `${f.id}: ${f.name} (${f.type}${f.options ? `: ${f.options.map((o) => `${o.orderindex}=${o.name}`).join(', ')}` : ''})`)
        .join('\n');
      return { data: { fields: data }, text: text || 'No custom fields on this list.' };
    },
  });
}
