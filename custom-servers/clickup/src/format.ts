// What the tools return: compact, model-friendly shapes (ISO dates, minutes, names instead of
// nested objects), their zod output schemas, and one-line text renderings.
import { z } from 'zod';
import type { RawComment, RawCustomField, RawTask, RawTimeEntry, RawUser } from './api.js';

export const iso = (ms: string | number | null | undefined): string | null =>
  ms === null || ms === undefined || ms === '' ? null : new Date(Number(ms)).toISOString();
const minutes = (ms: number | string | null | undefined): number | null =>
  ms === null || ms === undefined ? null : Math.round(Number(ms) / 60_000);

export const personSchema = z.object({ id: z.number(), username: z.string() });
export const person = (u: RawUser) => ({ id: u.id, username: u.username ?? u.email ?? String(u.id) });

export const taskSummarySchema = z.object({
  id: z.string(),
  custom_id: z.string().nullable(),
  name: z.string(),
  status: z.string(),
  status_type: z.string().describe('open, custom, closed or done'),
  priority: z.string().nullable().describe('urgent, high, normal, low or null'),
  due_date: z.string().nullable().describe('ISO 8601'),
  assignees: z.array(personSchema),
  tags: z.array(z.string()),
  list: z.object({ id: z.string(), name: z.string() }),
  parent: z.string().nullable().describe('parent task id when this is a subtask'),
  url: z.string(),
});
export type TaskSummary = z.infer<typeof taskSummarySchema>;

export function taskSummary(t: RawTask): TaskSummary {
  return {
    id: t.id,
    custom_id: t.custom_id ?? null,
    name: t.name,
    status: t.status.status,
    status_type: t.status.type,
    priority: t.priority?.priority ?? null,
    due_date: iso(t.due_date),
    assignees: t.assignees.map(person),
    tags: t.tags.map((tag) => tag.name),
    list: { id: t.list.id, name: t.list.name },
    parent: t.parent ?? null,
    url: t.url,
  };
}

export const customFieldValueSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  value: z.unknown().describe('raw ClickUp value; null when never set'),
  display: z.string().nullable().describe('human-readable value (drop-down option name, etc.)'),
});

function fieldDisplay(f: RawCustomField): string | null {
  if (f.value === undefined || f.value === null) return null;
  if (f.type === 'drop_down') {
    const options = f.type_config?.options ?? [];
    const option = options.find((o) => o.orderindex === Number(f.value) || o.id === f.value);
    return option?.name ?? String(f.value);
  }
  if (f.type === 'date') return iso(f.value as string);
  return typeof f.value === 'object' ? JSON.stringify(f.value) : String(f.value);
}

export const taskDetailSchema = taskSummarySchema.extend({
  description: z.string(),
  start_date: z.string().nullable(),
  date_created: z.string().nullable(),
  date_updated: z.string().nullable(),
  date_closed: z.string().nullable(),
  time_estimate_minutes: z.number().nullable(),
  time_spent_minutes: z.number().nullable(),
  creator: personSchema.nullable(),
  folder: z.object({ id: z.string(), name: z.string() }),
  space_id: z.string(),
  team_id: z.string(),
  custom_fields: z.array(customFieldValueSchema),
  subtasks: z.array(taskSummarySchema).optional(),
});

export function taskDetail(t: RawTask) {
  return {
    ...taskSummary(t),
    description: t.text_content ?? t.description ?? '',
    start_date: iso(t.start_date),
    date_created: iso(t.date_created),
    date_updated: iso(t.date_updated),
    date_closed: iso(t.date_closed),
    time_estimate_minutes: minutes(t.time_estimate),
    time_spent_minutes: minutes(t.time_spent),
    creator: t.creator ? person(t.creator) : null,
    folder: { id: t.folder.id, name: t.folder.name },
    space_id: t.space.id,
    team_id: t.team_id,
    custom_fields: (t.custom_fields ?? []).map((f) => ({ id: f.id, name: f.name, type: f.type, value: f.value ?? null, display: fieldDisplay(f) })),
    ...(t.subtasks ? { subtasks: t.subtasks.map(taskSummary) } : {}),
  };
}

export function taskLine(t: TaskSummary): string {
  const bits = [`${t.id}${t.custom_id ? ` (${t.custom_id})` : ''}: ${t.name} [${t.status}]`];
  if (t.priority) bits.push(`priority ${t.priority}`);
  if (t.due_date) bits.push(`due ${t.due_date.slice(0, 10)}`);
  if (t.assignees.length) bits.push(`assigned ${t.assignees.map((a) => a.username).join(', ')}`);
  if (t.tags.length) bits.push(`tags ${t.tags.join(', ')}`);
  bits.push(`list ${t.list.name}`);
  return bits.join('; ');
}

export const commentSchema = z.object({
  id: z.string(),
  text: z.string(),
  user: personSchema,
  date: z.string().nullable(),
  resolved: z.boolean(),
  assignee: personSchema.nullable(),
});
export const comment = (c: RawComment) => ({
  id: String(c.id),
  text: c.comment_text,
  user: person(c.user),
  date: iso(c.date),
  resolved: c.resolved,
  assignee: c.assignee ? person(c.assignee) : null,
});

export const timeEntrySchema = z.object({
  id: z.string(),
  task: z.object({ id: z.string(), name: z.string() }).nullable(),
  user: personSchema,
  start: z.string().nullable(),
  end: z.string().nullable(),
  duration_minutes: z.number(),
  billable: z.boolean(),
  description: z.string(),
  tags: z.array(z.string()),
});
export const timeEntry = (e: RawTimeEntry) => ({
  id: String(e.id),
  task: e.task ? { id: e.task.id, name: e.task.name } : null,
  user: person(e.user),
  start: iso(e.start),
  end: iso(e.end),
  duration_minutes: minutes(e.duration) ?? 0,
  billable: e.billable,
  description: e.description ?? '',
  tags: (e.tags ?? []).map((t) => t.name),
});
