// Workspace hierarchy: workspaces (teams) > spaces > folders > lists. These give every id the other tools need.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ClickUpApi, RawList } from '../api.js';
import { exactlyOne, folderId, spaceId, teamId } from '../inputs.js';
import { defineTool, READ } from '../tool.js';

const listSchema = z.object({
  id: z.string(),
  name: z.string(),
  task_count: z.number().nullable(),
  folder: z.object({ id: z.string(), name: z.string(), hidden: z.boolean().describe('true for lists directly in a space') }),
  space: z.object({ id: z.string(), name: z.string() }),
});
const list = (l: RawList) => ({
  id: l.id,
  name: l.name,
  task_count: l.task_count ?? null,
  folder: { id: l.folder.id, name: l.folder.name, hidden: l.folder.hidden },
  space: { id: l.space.id, name: l.space.name },
});

export function registerHierarchyTools(server: McpServer, api: ClickUpApi): void {
  defineTool(server, {
    name: 'get_workspaces',
    title: 'List ClickUp workspaces',
    description:
      'List the ClickUp workspaces (the API calls them teams) this token can access, with their members. ' +
      'Start here: the workspace id is the team_id other tools need, and member ids are the user ids for assignees.',
    input: {},
    output: {
      workspaces: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          members: z.array(z.object({ id: z.number(), username: z.string(), email: z.string().nullable(), role: z.string() })),
        }),
      ),
    },
    annotations: READ,
    notFoundHint: 'no workspace is visible to this token.',
    async run() {
      const roles: Record<number, string> = { 1: 'owner', 2: 'admin', 3: 'member', 4: 'guest' };
      const { teams } = await api.teams();
      const workspaces = teams.map((t) => ({
        id: t.id,
        name: t.name,
        members: t.members.map(({ user: u }) => ({
          id: u.id,
          username: u.username ?? u.email ?? String(u.id),
          email: u.email ?? null,
          role: roles[u.role ?? 3] ?? 'member',
        })),
      }));
      const text = workspaces
        .map((w) => `${w.id}: ${w.name} (members: ${w.members.map((m) => `${m.username} #${m.id}`).join(', ')})`)
        .join('\n');
      return { data: { workspaces }, text: text || 'No workspaces.' };
    },
  });

  defineTool(server, {
    name: 'get_spaces',
    title: 'List spaces in a workspace',
    description:
      'List the spaces of a ClickUp workspace with each space\'s task statuses (the valid values for a task\'s status). ' +
      'Needs team_id from get_workspaces. Space ids feed get_folders and get_lists.',
    input: { team_id: teamId },
    output: {
      spaces: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          private: z.boolean(),
          statuses: z.array(z.object({ status: z.string(), type: z.string(), color: z.string() })),
        }),
      ),
    },
    annotations: READ,
    notFoundHint: 'check team_id: get_workspaces lists valid workspace ids.',
    async run({ team_id }) {
      const { spaces } = await api.spaces(team_id);
      const data = spaces.map((s) => ({
        id: s.id,
        name: s.name,
        private: s.private,
        statuses: s.statuses.map(({ status, type, color }) => ({ status, type, color })),
      }));
      const text = data.map((s) => `${s.id}: ${s.name} (statuses: ${s.statuses.map((x) => x.status).join(', ')})`).join('\n');
      return { data: { spaces: data }, text: text || 'No spaces.' };
    },
  });

  defineTool(server, {
    name: 'get_folders',
    title: 'List folders (with their lists) in a space',
    description:
      'List the folders of a ClickUp space, each with the lists inside it. Needs space_id from get_spaces. ' +
      'Lists that sit directly in the space (outside any folder) are not here: use get_lists with space_id for those.',
    input: { space_id: spaceId },
    output: {
      folders: z.array(z.object({ id: z.string(), name: z.string(), task_count: z.number(), lists: z.array(listSchema) })),
    },
    annotations: READ,
    notFoundHint: 'check space_id: get_spaces lists valid space ids.',
    async run({ space_id }) {
      const { folders } = await api.folders(space_id);
      const data = folders.map((f) => ({ id: f.id, name: f.name, task_count: Number(f.task_count) || 0, lists: f.lists.map(list) }));
      const text = data
        .map((f) => `${f.id}: ${f.name}\n${f.lists.map((l) => `  list ${l.id}: ${l.name} (${l.task_count ?? '?'} tasks)`).join('\n')}`)
        .join('\n');
      return { data: { folders: data }, text: text || 'No folders in this space.' };
    },
  });

  defineTool(server, {
    name: 'get_lists',
    title: 'List the lists in a folder or space',
    description:
      'List ClickUp lists. Give folder_id (from get_folders) for the lists in that folder, or space_id (from get_spaces) ' +
      'for the lists directly in the space, outside any folder. List ids feed search_tasks, create_task and get_custom_fields.',
    input: {
      folder_id: folderId.optional(),
      space_id: spaceId.optional().describe('Space id (from get_spaces): returns the lists outside folders'),
    },
    output: { lists: z.array(listSchema) },
    annotations: READ,
    notFoundHint: 'check the id: get_spaces lists space ids, get_folders folder ids.',
    async run(args) {
      const which = exactlyOne(args, ['folder_id', 'space_id']);
      const { lists } = which === 'folder_id' ? await api.folderLists(args.folder_id!) : await api.folderlessLists(args.space_id!);
      const data = lists.map(list);
      const text = data.map((l) => `${l.id}: ${l.name} (${l.task_count ?? '?'} tasks; space ${l.space.name})`).join('\n');
      return { data: { lists: data }, text: text || 'No lists here.' };
    },
  });
}
