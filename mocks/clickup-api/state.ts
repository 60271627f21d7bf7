// The mock ClickUp workspace as plain records, plus the operations the routes and tests need.
// Records hold ids, not nested objects; render.ts turns them into the API's payload shapes, so a
// moved task or a renamed list shows up consistently everywhere.

export interface User {
  id: number;
  username: string;
  email: string;
  color: string;
  initials: string;
  /** 1 owner, 2 admin, 3 member, 4 guest (ClickUp's role codes). */
  role: number;
}

export interface Status {
  status: string;
  type: 'open' | 'custom' | 'closed' | 'done';
  color: string;
}

export interface Team {
  id: string;
  name: string;
  color: string;
  memberIds: number[];
}

export interface Space {
  id: string;
  teamId: string;
  name: string;
  statuses: Status[];
  tags: Array<{ name: string; tag_fg: string; tag_bg: string }>;
}

export interface Folder {
  id: string;
  spaceId: string;
  name: string;
  /** Folderless lists live in a hidden folder in the real API. */
  hidden: boolean;
}

export interface List {
  id: string;
  folderId: string;
  name: string;
  content: string;
}

export interface CustomField {
  id: string;
  name: string;
  type: 'drop_down' | 'currency' | 'short_text' | 'date' | 'number' | 'checkbox' | 'url' | 'email';
  type_config: Record<string, unknown>;
  required: boolean;
  dateCreated: number;
  /** Lists the field is attached to. */
  listIds: string[];
}

export interface Task {
  id: string;
  custom_id: string | null;
  name: string;
  description: string;
  status: string;
  /** 1 urgent, 2 high, 3 normal, 4 low. */
  priority: number | null;
  assignees: number[];
  watchers: number[];
  tags: string[];
  due_date: number | null;
  due_date_time: boolean;
  start_date: number | null;
  time_estimate: number | null;
  date_created: number;
  date_updated: number;
  date_closed: number | null;
  date_done: number | null;
  archived: boolean;
  parent: string | null;
  listId: string;
  creator: number;
  fieldValues: Record<string, unknown>;
}

export interface Comment {
  id: string;
  taskId: string;
  text: string;
  userId: number;
  date: number;
  resolved: boolean;
  assignee: number | null;
}

export interface TimeEntry {
  id: string;
  teamId: string;
  taskId: string | null;
  userId: number;
  start: number;
  duration: number;
  description: string;
  billable: boolean;
  tags: string[];
  at: number;
}

export class ClickUpState {
  readonly users = new Map<number, User>();
  readonly teams = new Map<string, Team>();
  readonly spaces = new Map<string, Space>();
  readonly folders = new Map<string, Folder>();
  readonly lists = new Map<string, List>();
  readonly fields = new Map<string, CustomField>();
  readonly tasks = new Map<string, Task>();
  readonly comments: Comment[] = [];
  readonly timeEntries: TimeEntry[] = [];
  /** The user the accepted token belongs to. */
  authUserId = 0;
  private seq = 0;

  /** Ids that look like ClickUp's: tasks are short base36 strings, the rest long digit strings. */
  nextId(kind: 'task' | 'comment' | 'time' | 'numeric'): string {
    this.seq++;
    if (kind === 'task') return '86c' + (1_000_000 + this.seq).toString(36);
    if (kind === 'time') return String(4_200_000_000_000_000_000n + BigInt(this.seq));
    return String(90_000_000_000 + this.seq);
  }

  listOf(task: Task): List {
    return this.lists.get(task.listId)!;
  }
  folderOf(list: List): Folder {
    return this.folders.get(list.folderId)!;
  }
  spaceOfList(list: List): Space {
    return this.spaces.get(this.folderOf(list).spaceId)!;
  }
  teamOfList(list: List): Team {
    return this.teams.get(this.spaceOfList(list).teamId)!;
  }

  /** Statuses a task in this list may take (lists inherit their space's statuses here). */
  statusesOf(listId: string): Status[] {
    return this.spaceOfList(this.lists.get(listId)!).statuses;
  }

  findStatus(listId: string, name: string): Status | undefined {
    return this.statusesOf(listId).find((s) => s.status.toLowerCase() === name.toLowerCase());
  }

  isClosed(task: Task): boolean {
    const s = this.findStatus(task.listId, task.status);
    return s?.type === 'closed' || s?.type === 'done';
  }

  /** For tests: tasks currently in a list (by id or by name), subtasks included. */
  tasksInList(list: string): Task[] {
    const listId = this.lists.has(list) ? list : [...this.lists.values()].find((l) => l.name === list)?.id;
    return [...this.tasks.values()].filter((t) => t.listId === listId);
  }

  /** For tests: the task with this exact name, optionally within one list (id or name). */
  findTask(name: string, list?: string): Task | undefined {
    const pool = list === undefined ? [...this.tasks.values()] : this.tasksInList(list);
    return pool.find((t) => t.name === name);
  }

  listByName(name: string): List | undefined {
    return [...this.lists.values()].find((l) => l.name === name);
  }

  addTask(listId: string, init: Partial<Task> & { name: string }): Task {
    const now = Date.now();
    const task: Task = {
      id: this.nextId('task'),
      custom_id: null,
      description: '',
      status: this.statusesOf(listId)[0].status,
      priority: null,
      assignees: [],
      watchers: [],
      tags: [],
      due_date: null,
      due_date_time: false,
      start_date: null,
      time_estimate: null,
      date_created: now,
      date_updated: now,
      date_closed: null,
      date_done: null,
      archived: false,
      parent: null,
      creator: this.authUserId,
      fieldValues: {},
      ...init,
      listId,
    };
    this.tasks.set(task.id, task);
    return task;
  }

  /** For tests: bulk tasks in one list, e.g. to exercise pagination. */
  seedTasks(listId: string, count: number, namePrefix = 'Seeded task'): Task[] {
    const created: Task[] = [];
    for (let i = 1; i <= count; i++) created.push(this.addTask(listId, { name: `${namePrefix} ${i}` }));
    return created;
  }

  commentsOf(taskId: string): Comment[] {
    return this.comments.filter((c) => c.taskId === taskId);
  }

  deleteTask(taskId: string): void {
    // Subtasks and comments go with their task, as in ClickUp.
    for (const t of [...this.tasks.values()]) if (t.parent === taskId) this.deleteTask(t.id);
    this.tasks.delete(taskId);
    for (let i = this.comments.length - 1; i >= 0; i--) if (this.comments[i].taskId === taskId) this.comments.splice(i, 1);
  }
}
