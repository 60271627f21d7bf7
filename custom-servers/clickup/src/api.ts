// The ClickUp REST endpoints the tools use, over the shared RestClient. Payload types list only
// the fields the tools read; the API sends more.
import { RestClient, type RequestOptions } from '../../lib/rest.js';
import type { ClickUpConfig } from './config.js';

export interface RawUser { id: number; username: string | null; email?: string; role?: number }
export interface RawStatus { status: string; type: string; color: string }
export interface RawTeam { id: string; name: string; members: Array<{ user: RawUser }> }
export interface RawSpace { id: string; name: string; private: boolean; statuses: RawStatus[] }
export interface RawList {
  id: string;
  name: string;
  task_count: number | null;
  folder: { id: string; name: string; hidden: boolean };
  space: { id: string; name: string };
}
export interface RawFolder { id: string; name: string; task_count: string; lists: RawList[] }
export interface RawCustomField {
  id: string;
  name: string;
  type: string;
  required?: boolean;
  type_config?: { options?: Array<{ id: string; name: string; orderindex: number }> };
  value?: unknown;
}
export interface RawTask {
  id: string;
  custom_id: string | null;
  name: string;
  text_content: string | null;
  description: string | null;
  status: RawStatus;
  date_created: string | null;
  date_updated: string | null;
  date_closed: string | null;
  creator: RawUser | null;
  assignees: RawUser[];
  tags: Array<{ name: string }>;
  parent: string | null;
  priority: { priority: string } | null;
  due_date: string | null;
  start_date: string | null;
  time_estimate: number | null;
  time_spent?: number | null;
  custom_fields?: RawCustomField[];
  team_id: string;
  url: string;
  list: { id: string; name: string };
  folder: { id: string; name: string };
  space: { id: string };
  subtasks?: RawTask[];
}
export interface RawComment { id: string; comment_text: string; user: RawUser; resolved: boolean; assignee: RawUser | null; date: string }
export interface RawTimeEntry {
  id: string;
  task: { id: string; name: string } | null;
  user: RawUser;
  billable: boolean;
  start: string;
  end: string;
  duration: string;
  description: string;
  tags: Array<{ name: string }>;
}

export type TaskQuery = RequestOptions['query'];

export class ClickUpApi {
  private readonly v2: RestClient;
  private readonly v3: RestClient;

  constructor(config: ClickUpConfig) {
    const common = {
      // Personal tokens go in Authorization as they are (no "Bearer").
      headers: { authorization: config.token },
      timeoutMs: config.timeoutMs,
      maxRetries: config.maxRetries,
      retryBaseMs: config.retryBaseMs,
      messageFromBody: (body: unknown) => {
        const b = body as { err?: unknown; ECODE?: unknown } | undefined;
        return typeof b?.err === 'string' ? `${b.err}${typeof b.ECODE === 'string' ? ` (${b.ECODE})` : ''}` : undefined;
      },
    };
    this.v2 = new RestClient({ ...common, baseUrl: config.baseUrl });
    this.v3 = new RestClient({ ...common, baseUrl: config.v3BaseUrl });
  }

  private get<T>(path: string, query?: RequestOptions['query']) {
    return this.v2.request<T>('GET', path, { query });
  }

  teams() {
    return this.get<{ teams: RawTeam[] }>('/team');
  }
  spaces(teamId: string) {
    return this.get<{ spaces: RawSpace[] }>(`/team/${enc(teamId)}/space`, { archived: false });
  }
  folders(spaceId: string) {
    return this.get<{ folders: RawFolder[] }>(`/space/${enc(spaceId)}/folder`, { archived: false });
  }
  folderLists(folderId: string) {
    return this.get<{ lists: RawList[] }>(`/folder/${enc(folderId)}/list`, { archived: false });
  }
  folderlessLists(spaceId: string) {
    return this.get<{ lists: RawList[] }>(`/space/${enc(spaceId)}/list`, { archived: false });
  }
  listTasks(listId: string, query: TaskQuery) {
    return this.get<{ tasks: RawTask[]; last_page?: boolean }>(`/list/${enc(listId)}/task`, query);
  }
  teamTasks(teamId: string, query: TaskQuery) {
    return this.get<{ tasks: RawTask[]; last_page?: boolean }>(`/team/${enc(teamId)}/task`, query);
  }
  task(taskId: string, includeSubtasks = false) {
    return this.get<RawTask>(`/task/${enc(taskId)}`, { include_subtasks: includeSubtasks || undefined });
  }
  createTask(listId: string, body: Record<string, unknown>) {
    return this.v2.request<RawTask>('POST', `/list/${enc(listId)}/task`, { body });
  }
  updateTask(taskId: string, body: Record<string, unknown>) {
    return this.v2.request<RawTask>('PUT', `/task/${enc(taskId)}`, { body });
  }
  deleteTask(taskId: string) {
    return this.v2.request<unknown>('DELETE', `/task/${enc(taskId)}`);
  }
  /** v2 has no way to change a task's home list; v3 does. */
  moveTask(teamId: string, taskId: string, listId: string, body: Record<string, unknown>) {
    return this.v3.request<unknown>('PUT', `/workspaces/${enc(teamId)}/tasks/${enc(taskId)}/home_list/${enc(listId)}`, { body });
  }
  comments(taskId: string) {
    return this.get<{ comments: RawComment[] }>(`/task/${enc(taskId)}/comment`);
  }
  addComment(taskId: string, body: Record<string, unknown>) {
    return this.v2.request<{ id: number | string; date: number | string }>('POST', `/task/${enc(taskId)}/comment`, { body });
  }
  addTag(taskId: string, tag: string) {
    return this.v2.request<unknown>('POST', `/task/${enc(taskId)}/tag/${enc(tag)}`);
  }
  removeTag(taskId: string, tag: string) {
    return this.v2.request<unknown>('DELETE', `/task/${enc(taskId)}/tag/${enc(tag)}`);
  }
  listFields(listId: string) {
    return this.get<{ fields: RawCustomField[] }>(`/list/${enc(listId)}/field`);
  }
  timeEntries(teamId: string, query: RequestOptions['query']) {
    return this.get<{ data: RawTimeEntry[] }>(`/team/${enc(teamId)}/time_entries`, query);
  }
  addTimeEntry(teamId: string, body: Record<string, unknown>) {
    return this.v2.request<{ data: RawTimeEntry }>('POST', `/team/${enc(teamId)}/time_entries`, { body });
  }
}

const enc = encodeURIComponent;
