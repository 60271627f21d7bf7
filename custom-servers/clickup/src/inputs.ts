// Input fragments shared by the tools, so every tool describes an id or a date the same way.
import { z } from 'zod';
import { ArgumentError } from './tool.js';

const id = (what: string, source: string) => z.string().trim().min(1).max(100).describe(`${what} (from ${source})`);

export const teamId = id('Workspace (team) id', 'get_workspaces');
export const spaceId = id('Space id', 'get_spaces');
export const folderId = id('Folder id', 'get_folders');
export const listId = id('List id', 'get_folders or get_lists');
export const taskId = id('Task id, e.g. "86b2x1abc"', 'search_tasks or get_task');
export const userIds = (what: string) =>
  z.array(z.number().int().positive()).max(50).describe(`${what}: user ids (from get_workspaces members)`);

export const isoDate = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'expected an ISO 8601 date such as 2025-03-31 or 2025-03-31T17:00:00Z')
  .describe('ISO 8601 date or date-time, e.g. 2025-03-31 or 2025-03-31T17:00:00Z (UTC unless an offset is given)');

export const toMs = (v: string): number => Date.parse(v);
/** ClickUp shows a due time only when due_date_time is true; a bare date means "that day". */
export const hasTime = (v: string): boolean => v.includes('T');

export const PRIORITY = { urgent: 1, high: 2, normal: 3, low: 4 } as const;
export const priority = z.enum(['urgent', 'high', 'normal', 'low']);

export const tagName = z.string().trim().min(1).max(100).describe('Tag name (ClickUp stores tags lower-case)');
export const statusName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .describe("Status name as shown in ClickUp, e.g. \"in progress\" (a list's statuses are listed by get_spaces)");

/** Exactly one of several alternative arguments; zod raw shapes cannot say this, so tools check it. */
export function exactlyOne(args: Record<string, unknown>, keys: string[]): string {
  const given = keys.filter((k) => args[k] !== undefined);
  if (given.length !== 1) throw new ArgumentError(`give exactly one of ${keys.join(', ')}`);
  return given[0];
}
