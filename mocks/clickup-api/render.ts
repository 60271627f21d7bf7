// Turns state records into ClickUp API v2 payloads: timestamps as ms-epoch strings, users as
// {id, username, ...}, tasks with list/folder/space references, custom fields with their values.
import type { ClickUpState, Comment, CustomField, Folder, List, Space, Task, TimeEntry, User } from './state.js';

const PRIORITIES: Record<number, { priority: string; color: string }> = {
  1: { priority: 'urgent', color: '#f50000' },
  2: { priority: 'high', color: '#f8ae00' },
  3: { priority: 'normal', color: '#6fddff' },
  4: { priority: 'low', color: '#d8d8d8' },
};

const ms = (n: number | null) => (n === null ? null : String(n));

export function user(u: User) {
  return { id: u.id, username: u.username, email: u.email, color: u.color, initials: u.initials, profilePicture: null };
}

export function renderTeam(state: ClickUpState, teamId: string) {
  const team = state.teams.get(teamId)!;
  return {
    id: team.id,
    name: team.name,
    color: team.color,
    avatar: null,
    members: team.memberIds.map((id) => {
      const u = state.users.get(id)!;
      return { user: { ...user(u), role: u.role, last_active: null, date_joined: null, date_invited: null } };
    }),
  };
}

export function renderSpace(space: Space) {
  return {
    id: space.id,
    name: space.name,
    color: null,
    private: false,
    avatar: null,
    admin_can_manage: true,
    statuses: space.statuses.map((s, i) => ({ id: `p${space.id}_${i}`, status: s.status, type: s.type, orderindex: i, color: s.color })),
    multiple_assignees: true,
    features: {
      due_dates: { enabled: true, start_date: true, remap_due_dates: true, remap_closed_due_date: false },
      time_tracking: { enabled: true },
      tags: { enabled: true },
      time_estimates: { enabled: true },
      checklists: { enabled: true },
      custom_fields: { enabled: true },
      remap_dependencies: { enabled: true },
      dependency_warning: { enabled: true },
      portfolios: { enabled: true },
    },
    archived: false,
  };
}

export function renderList(state: ClickUpState, list: List) {
  const folder = state.folderOf(list);
  const space = state.spaces.get(folder.spaceId)!;
  return {
    id: list.id,
    name: list.name,
    orderindex: 0,
    content: list.content,
    status: null,
    priority: null,
    assignee: null,
    task_count: state.tasksInList(list.id).filter((t) => !t.archived).length,
    due_date: null,
    start_date: null,
    folder: { id: folder.id, name: folder.name, hidden: folder.hidden, access: true },
    space: { id: space.id, name: space.name, access: true },
    archived: false,
    override_statuses: false,
    permission_level: 'create',
  };
}

export function renderFolder(state: ClickUpState, folder: Folder) {
  const space = state.spaces.get(folder.spaceId)!;
  const lists = [...state.lists.values()].filter((l) => l.folderId === folder.id);
  const taskCount = lists.reduce((n, l) => n + state.tasksInList(l.id).length, 0);
  return {
    id: folder.id,
    name: folder.name,
    orderindex: 0,
    override_statuses: false,
    hidden: folder.hidden,
    space: { id: space.id, name: space.name },
    task_count: String(taskCount),
    archived: false,
    statuses: [],
    lists: lists.map((l) => renderList(state, l)),
    permission_level: 'create',
  };
}

export function renderField(field: CustomField) {
  return {
    id: field.id,
    name: field.name,
    type: field.type,
    type_config: field.type_config,
    date_created: String(field.dateCreated),
    hide_from_guests: false,
    required: field.required,
  };
}

function renderStatus(state: ClickUpState, task: Task) {
  const statuses = state.statusesOf(task.listId);
  const index = statuses.findIndex((s) => s.status === task.status);
  const s = statuses[Math.max(0, index)];
  return { status: s.status, color: s.color, orderindex: Math.max(0, index), type: s.type };
}

export function renderTask(state: ClickUpState, task: Task, options: { subtasks?: boolean } = {}) {
  const list = state.listOf(task);
  const folder = state.folderOf(list);
  const space = state.spaceOfList(list);
  const team = state.teamOfList(list);
  const tagStyle = (name: string) => space.tags.find((t) => t.name === name) ?? { tag_fg: '#000000', tag_bg: '#e0e0e0' };
  const fields = [...state.fields.values()].filter((f) => f.listIds.includes(list.id));
  const rendered: Record<string, unknown> = {
    id: task.id,
    custom_id: task.custom_id,
    custom_item_id: 0,
    name: task.name,
    text_content: task.description,
    description: task.description,
    status: renderStatus(state, task),
    orderindex: '1.00000000000000000000000000000000',
    date_created: ms(task.date_created),
    date_updated: ms(task.date_updated),
    date_closed: ms(task.date_closed),
    date_done: ms(task.date_done),
    archived: task.archived,
    creator: user(state.users.get(task.creator)!),
    assignees: task.assignees.map((id) => user(state.users.get(id)!)),
    group_assignees: [],
    watchers: task.watchers.map((id) => user(state.users.get(id)!)),
    checklists: [],
    tags: task.tags.map((name) => ({ name, ...tagStyle(name), creator: task.creator })),
    parent: task.parent,
    top_level_parent: task.parent,
    priority: task.priority === null ? null : { id: String(task.priority), ...PRIORITIES[task.priority], orderindex: String(task.priority) },
    due_date: ms(task.due_date),
    start_date: ms(task.start_date),
    points: null,
    time_estimate: task.time_estimate,
    time_spent: state.timeEntries.filter((e) => e.taskId === task.id).reduce((n, e) => n + e.duration, 0) || null,
    custom_fields: fields.map((f) => {
      const out: Record<string, unknown> = renderField(f);
      // The API omits `value` for fields never set on this task.
      if (task.fieldValues[f.id] !== undefined) out.value = f.type === 'currency' || f.type === 'number' ? String(task.fieldValues[f.id]) : task.fieldValues[f.id];
      return out;
    }),
    dependencies: [],
    linked_tasks: [],
    locations: [],
    team_id: team.id,
    url: `https://app.clickup.com/t/${task.id}`,
    sharing: { public: false, public_share_expires_on: null, public_fields: [], token: null, seo_optimized: false },
    permission_level: 'create',
    list: { id: list.id, name: list.name, access: true },
    project: { id: folder.id, name: folder.name, hidden: folder.hidden, access: true },
    folder: { id: folder.id, name: folder.name, hidden: folder.hidden, access: true },
    space: { id: space.id },
    attachments: [],
  };
  if (options.subtasks) {
    rendered.subtasks = [...state.tasks.values()].filter((t) => t.parent === task.id).map((t) => renderTask(state, t));
  }
  return rendered;
}

export function renderComment(state: ClickUpState, c: Comment) {
  return {
    id: c.id,
    comment: [{ text: c.text }],
    comment_text: c.text,
    user: user(state.users.get(c.userId)!),
    resolved: c.resolved,
    assignee: c.assignee === null ? null : user(state.users.get(c.assignee)!),
    assigned_by: null,
    reactions: [],
    date: String(c.date),
    reply_count: 0,
  };
}

export function renderTimeEntry(state: ClickUpState, e: TimeEntry) {
  const task = e.taskId ? state.tasks.get(e.taskId) : undefined;
  const list = task ? state.listOf(task) : undefined;
  return {
    id: e.id,
    task: task ? { id: task.id, name: task.name, status: renderStatus(state, task), custom_type: null } : null,
    wid: e.teamId,
    user: user(state.users.get(e.userId)!),
    billable: e.billable,
    start: String(e.start),
    end: String(e.start + e.duration),
    duration: String(e.duration),
    description: e.description,
    tags: e.tags.map((name) => ({ name, tag_fg: '#000000', tag_bg: '#e0e0e0', creator: e.userId })),
    source: 'clickup',
    at: String(e.at),
    task_location: list
      ? { list_id: list.id, folder_id: list.folderId, space_id: state.folderOf(list).spaceId }
      : null,
    task_url: task ? `https://app.clickup.com/t/${task.id}` : null,
  };
}
