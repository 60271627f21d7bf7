// How runs and notes become Chroma records and back: the document is the run record as JSON
// (compacted to fit Chroma Cloud's 16 KB document limit), the metadata the fields filters need
// (kind, time, status, tools, the hash of each used tool's input schema, whose entry it is), within
// Cloud's limits too.
import { createHash, randomUUID } from 'node:crypto';
import { makePrincipal, type Principal, type PrincipalRef } from '../access/principal.js';
import { isToolStep, type Plan } from '../planner/plan.js';
import { RunRecordSchema, type RunRecord } from '../planner/record.js';
import { scrub, scrubText } from './scrub.js';

export type EntryKind = 'run' | 'note';

/** Chroma metadata of one record; scalars only. */
export interface EntryMeta {
  kind: EntryKind;
  /** Whose entry it is: the principal's key (name and scope; "local" for the machine's user). Only that key sees it. */
  principal?: string;
  /** The principal's name, for people reading the entry. */
  principalName?: string;
  /** Start time in epoch milliseconds, for age filters and retention. */
  ts: number;
  startedAt: string;
  /** The request of a run, or a note's opening. */
  text: string;
  runId?: string;
  status?: string;
  client?: string;
  trigger?: string;
  planSource?: string;
  /** Tool names the plan uses, comma-separated. */
  tools?: string;
  /** JSON object: tool name -> schemaHash of its input schema when the run was stored. */
  schemas?: string;
  summary?: string;
  ms?: number;
  llmCalls?: number;
  [key: string]: string | number | boolean | undefined;
}

export interface Entry {
  id: string;
  document: string;
  metadata: EntryMeta;
  /** What is embedded: the request for runs (similarity compares requests), the text for notes. */
  embedText: string;
}

// Chroma Cloud's quotas: 16,384 bytes a document, 4,096 a metadata value, 128 an id.
export const MAX_DOCUMENT_BYTES = 16_000;
const MAX_META_CHARS = 1000;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Stable hash of a tool's input schema (key order does not matter): a changed schema means a remembered plan may no longer fit. */
export function schemaHash(schema: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(schema ?? null)))
    .digest('hex')
    .slice(0, 16);
}

export function planTools(plan: Plan | undefined): string[] {
  return [...new Set((plan?.steps ?? []).filter(isToolStep).map((s) => s.tool))];
}

function entryId(kind: EntryKind, id: string): string {
  const full = `${kind}:${id}`;
  return bytes(full) <= 128 ? full : `${kind}:${createHash('sha256').update(id).digest('hex')}`;
}

export const runEntryId = (runId: string) => entryId('run', runId);

/** The owner of an entry: a run's principal, the caller of a note; nobody named means the local user. */
export const LOCAL_KEY = 'local';

export function ownerOf(principal: Principal | PrincipalRef | undefined): { principal: string; principalName: string } {
  if (!principal) return { principal: LOCAL_KEY, principalName: 'local' };
  const key = 'key' in principal ? principal.key : makePrincipal(principal).key;
  return { principal: key, principalName: clip(principal.name, 200) };
}

/** Smaller and smaller versions of a record until its JSON fits: results first, then arguments, then long texts, then the steps. */
function compact(record: RunRecord): string {
  const json = (r: unknown) => JSON.stringify(r);
  let r: RunRecord = record;
  let out = json(r);
  const stages: Array<(r: RunRecord) => RunRecord> = [
    (r) => ({ ...r, steps: r.steps.map((s) => (s.result === undefined ? s : { ...s, result: clip(json(s.result) ?? '', 500) })) }),
    (r) => ({ ...r, steps: r.steps.map(({ result: _r, ...s }) => s) }),
    (r) => ({ ...r, steps: r.steps.map((s) => (s.args === undefined ? s : { ...s, args: clip(json(s.args) ?? '', 300) })) }),
    (r) => ({ ...r, summary: r.summary && clip(r.summary, 2000), error: r.error && clip(r.error, 1000), steps: r.steps.map(({ args: _a, ...s }) => ({ ...s, error: s.error && clip(s.error, 300) })) }),
    (r) => ({ ...r, steps: [] }),
    (r) => ({ ...r, task: clip(r.task, 2000), summary: r.summary && clip(r.summary, 500), plan: undefined }),
  ];
  for (const stage of stages) {
    if (bytes(out) <= MAX_DOCUMENT_BYTES) break;
    r = stage(r);
    out = json(r);
  }
  return out;
}

export function runEntry(input: RunRecord, schemas: Record<string, string>): Entry {
  const record = scrub(input);
  const tools = planTools(record.plan);
  const ts = Date.parse(record.startedAt);
  const metadata: EntryMeta = {
    kind: 'run',
    ...ownerOf(record.principal),
    ts: Number.isFinite(ts) ? ts : Date.now(),
    startedAt: record.startedAt,
    text: clip(record.task, MAX_META_CHARS),
    runId: clip(record.id, 200),
    status: record.status,
    trigger: record.trigger,
    llmCalls: record.usage?.llmCalls ?? 0,
  };
  if (record.client) metadata.client = clip(record.client, 200);
  if (record.planSource) metadata.planSource = record.planSource;
  if (record.summary) metadata.summary = clip(record.summary, MAX_META_CHARS);
  if (record.ms !== undefined) metadata.ms = record.ms;
  if (tools.length) metadata.tools = clip(tools.join(','), MAX_META_CHARS * 3);
  const used = Object.fromEntries(tools.filter((t) => schemas[t]).map((t) => [t, schemas[t]]));
  if (Object.keys(used).length) metadata.schemas = JSON.stringify(used);
  // Past Cloud's value limit (some 45 tools) the hashes are dropped; reuse then counts as unsure.
  if (metadata.schemas && bytes(metadata.schemas) > 4000) delete metadata.schemas;
  return { id: runEntryId(record.id), document: compact(record), metadata, embedText: record.task };
}

export function noteEntry(text: string, now = new Date(), principal?: Principal): Entry {
  let clean = scrubText(text.trim());
  while (bytes(clean) > MAX_DOCUMENT_BYTES) clean = clean.slice(0, Math.floor(clean.length * 0.9));
  return {
    id: entryId('note', randomUUID()),
    document: clean,
    metadata: { kind: 'note', ...ownerOf(principal), ts: now.getTime(), startedAt: now.toISOString(), text: clip(clean, MAX_META_CHARS) },
    embedText: clean,
  };
}

export function parseRun(document: string | null | undefined): RunRecord | undefined {
  if (!document) return undefined;
  try {
    const parsed = RunRecordSchema.safeParse(JSON.parse(document));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function parseSchemas(meta: EntryMeta | undefined): Record<string, string> {
  try {
    return meta?.schemas ? (JSON.parse(meta.schemas) as Record<string, string>) : {};
  } catch {
    return {};
  }
}
