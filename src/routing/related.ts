// General-purpose groups of words that requests and tool descriptions use for the same thing
// ("remove" a task vs "delete-task"). Written from common API and app vocabulary, never from any
// benchmark's queries. Used at index time only: a tool document gains the other members of each
// group its name or description touches, in a low-weight field.
import { term } from './text.js';

const GROUPS: string[] = [
  // actions
  'create add new make insert compose generate',
  'delete remove erase destroy trash',
  'update edit modify change rename patch',
  'get fetch retrieve read show view display',
  'list enumerate browse',
  'search find lookup locate query',
  'send deliver post notify tell announce',
  'reply respond answer',
  'download save export',
  'upload attach import',
  'start begin launch run execute trigger',
  'stop end cancel terminate abort',
  'convert transform',
  'summarize summary digest',
  'translate translation',
  'schedule plan book',
  'count total number',
  'assign allocate',
  'close resolve complete finish done',
  'open reopen',
  'move transfer',
  'copy duplicate clone',
  'share publish',
  'invite join',
  // things
  'message chat msg dm conversation',
  'email mail inbox',
  'user member person people',
  'contact customer client',
  'file document doc',
  'folder directory dir',
  'image picture photo pic',
  'video movie clip',
  'audio sound music song track',
  'invoice bill',
  'payment pay paid',
  'invoice bill',
  'task todo ticket',
  'meeting event appointment calendar',
  'location place address map geo',
  'price cost rate',
  'news headline article',
  'chart graph plot visualization diagram',
  'comment note remark',
  'channel group room',
  'repository repo',
  'website webpage page site url link web',
  'note memo',
  'date time day',
  'spreadsheet sheet table',
  'organization org company team workspace',
  'tag label',
  'setting config configuration preference',
];

const related = new Map<string, string[]>();
for (const group of GROUPS) {
  const members = [...new Set(group.split(' ').map((w) => term(w)).filter((t): t is string => !!t))];
  for (const m of members) related.set(m, [...(related.get(m) ?? []), ...members.filter((o) => o !== m)]);
}

/** Terms related to the given ones and not among them. */
export function relatedTerms(termsIn: Iterable<string>): string[] {
  const have = new Set(termsIn);
  const out = new Set<string>();
  for (const t of have) for (const r of related.get(t) ?? []) if (!have.has(r)) out.add(r);
  return [...out];
}
