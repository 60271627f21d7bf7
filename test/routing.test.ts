// Lexical tool search: analysis, BM25F fields, incremental updates, server mentions, searchMany, server-first.
// The catalog and queries here are our own; none comes from a benchmark set.
import { describe, expect, it } from 'vitest';
import { RoutingConfigSchema, type RoutingConfigInput } from '../src/config/routing.js';
import { shortDescription, ToolIndex, type IndexedTool } from '../src/routing/index.js';
import { scoreFusion } from '../src/routing/fusion.js';
import { VectorStore } from '../src/routing/vectors.js';
import { stem } from '../src/routing/stem.js';
import { terms, words } from '../src/routing/text.js';

const tool = (server: string, name: string, description: string, inputSchema?: Record<string, unknown>): IndexedTool => ({
  name: `${server}__${name}`,
  server,
  originalName: name,
  description,
  inputSchema,
});

const ledger = [
  tool('ledger', 'list-invoices', 'Lists sales invoices, newest first.', {
    type: 'object',
    properties: { status: { type: 'string', enum: ['DRAFT', 'AUTHORISED', 'PAID'] }, page: { type: 'number' } },
  }),
  tool('ledger', 'create-contact', 'Creates a customer or supplier record.', {
    type: 'object',
    properties: { name: { type: 'string' }, emailAddress: { type: 'string', description: 'Where statements are sent' } },
  }),
  tool('ledger', 'get_balance_sheet', 'Balance sheet report at a date.'),
];
const board = [
  tool('board', 'deleteCard', 'Deletes a card from a board permanently.', { type: 'object', properties: { cardId: { type: 'string' } } }),
  tool('board', 'moveCard', 'Moves a card to another column.', { type: 'object', properties: { cardId: { type: 'string' }, column: { type: 'string' } } }),
  tool('board', 'list_messages', 'Comments left on a card.'),
];
const chat = [
  tool('chat', 'list_messages', 'Recent messages of a conversation.'),
  tool('chat', 'send_message', 'Posts a text message to a group or a person.', { type: 'object', properties: { chatId: { type: 'string' }, text: { type: 'string' } } }),
];

function index(overrides: RoutingConfigInput = {}): ToolIndex {
  const idx = new ToolIndex(RoutingConfigSchema.parse({ embeddings: { provider: 'none' }, ...overrides }));
  idx.setServer('ledger', ledger, 'Accounting: invoices, contacts, reports');
  idx.setServer('board', board, 'Kanban boards and cards');
  idx.setServer('chat', chat, 'A messenger');
  return idx;
}

const names = (hits: Array<{ name: string }>) => hits.map((h) => h.name);

describe('text analysis', () => {
  it('splits snake, kebab and camel identifiers into words', () => {
    expect(words('list_invoices')).toEqual(['list', 'invoices']);
    expect(words('create-bank-transaction')).toEqual(['create', 'bank', 'transaction']);
    expect(words('getHTTPResponseCode')).toEqual(['get', 'http', 'response', 'code']);
    expect(words('发送消息')).toEqual(['发送', '送消', '消息']);
  });

  it('stems as Porter does and drops stop words', () => {
    const cases: Record<string, string> = {
      caresses: 'caress', ponies: 'poni', cats: 'cat', agreed: 'agre', hopping: 'hop', filing: 'file',
      relational: 'relat', conditional: 'condit', generalization: 'gener', invoices: 'invoic', invoicing: 'invoic',
    };
    for (const [w, s] of Object.entries(cases)) expect(stem(w), w).toBe(s);
    expect(terms('Show me the invoices of this month')).toEqual(['show', 'invoic', 'month']);
  });
});

describe('config', () => {
  it('gives every routing field a default and rejects unknown keys', () => {
    const c = RoutingConfigSchema.parse({});
    expect(c.embeddings.provider).toBe('transformers');
    expect(c.defaultLimit).toBe(8);
    expect(c.fusion.k).toBe(60);
    expect(c.lexical.weights.name).toBeGreaterThan(c.lexical.weights.description);
    expect(() => RoutingConfigSchema.parse({ embedings: {} })).toThrow();
  });
});

describe('ToolIndex, lexical', () => {
  it('finds tools by name words, description, stems, parameter names and enum values', async () => {
    const idx = index();
    expect(names(await idx.search('invoice list'))[0]).toBe('ledger__list-invoices');
    expect(names(await idx.search('balance sheet'))[0]).toBe('ledger__get_balance_sheet');
    expect(names(await idx.search('which invoices are authorised'))[0]).toBe('ledger__list-invoices');
    expect(names(await idx.search('email address of a supplier'))[0]).toBe('ledger__create-contact');
    expect(names(await idx.search('move the card to done column'))[0]).toBe('board__moveCard');
    expect(await idx.search('zebra xylophone')).toEqual([]);
    expect(idx.status()).toMatchObject({ tools: 8, servers: 3, dense: 'off' });
  });

  it('expands documents with related words ("remove" finds delete)', async () => {
    expect(names(await index().search('remove a card'))[0]).toBe('board__deleteCard');
    expect(names(await index().search('erase'))).toEqual(['board__deleteCard']);
    const plain = index({ lexical: { expand: false } });
    expect(await plain.search('erase')).toEqual([]);
  });

  it('answers with the namespaced name, server, a short description and a score, best first', async () => {
    const hits = await index().search('send a message');
    expect(hits[0]).toMatchObject({ name: 'chat__send_message', server: 'chat', description: 'Posts a text message to a group or a person.' });
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
  });

  it('prefers the tools of a server the request names', async () => {
    const idx = index({ fusion: { serverBoost: 0 } });
    const unboosted = names(await idx.search('list messages on the board'));
    const boosted = names(await index().search('list messages on the board'));
    expect(boosted[0]).toBe('board__list_messages');
    expect(boosted.indexOf('board__list_messages')).toBeLessThanOrEqual(unboosted.indexOf('board__list_messages'));
    expect(names(await index().search('list messages in chat'))[0]).toBe('chat__list_messages');
  });

  it('replaces only the updated server and forgets removed ones', async () => {
    const idx = index();
    idx.setServer('board', [tool('board', 'archiveCard', 'Archives a card.')]);
    expect(idx.status()).toMatchObject({ tools: 6, servers: 3 });
    expect(names(await idx.search('delete card'))).not.toContain('board__deleteCard');
    expect(names(await idx.search('archive card'))[0]).toBe('board__archiveCard');
    expect(names(await idx.search('invoices'))[0]).toBe('ledger__list-invoices');
    idx.removeServer('ledger');
    expect(idx.status()).toMatchObject({ tools: 3, servers: 2 });
    expect(await idx.search('invoices')).toEqual([]);
    idx.removeServer('nope');
    expect(idx.status().servers).toBe(2);
  });

  it('clamps the limit and falls back to lexical when dense is asked for but off', async () => {
    const idx = index({ maxLimit: 2, defaultLimit: 1 });
    expect(await idx.search('card')).toHaveLength(1);
    expect(await idx.search('card', { limit: 99 })).toHaveLength(2);
    expect(names(await idx.search('send message', { mode: 'dense' }))[0]).toBe('chat__send_message');
  });

  it('searchMany merges one query per step, round-robin, without duplicates', async () => {
    const idx = index();
    const hits = await idx.searchMany(['create a customer', 'send a message', 'customer record'], { limit: 4 });
    const n = names(hits);
    expect(n.slice(0, 2)).toEqual(['ledger__create-contact', 'chat__send_message']);
    expect(new Set(n).size).toBe(n.length);
    expect(n.length).toBeLessThanOrEqual(4);
    const one = await idx.searchMany(['create a customer', 'send a message'], { perQuery: 1 });
    expect(names(one)).toEqual(['ledger__create-contact', 'chat__send_message']);
    expect(await idx.searchMany(['', '  '])).toEqual([]);
  });

  it('server-first keeps the tools of the best servers only', async () => {
    const idx = index({ serverFirst: { enabled: true, minTools: 0, servers: 1 } });
    const hits = await idx.search('messages', { limit: 10 });
    expect(new Set(hits.map((h) => h.server)).size).toBe(1);
    expect(hits.length).toBeGreaterThan(0);
  });
});

describe('shortDescription', () => {
  it('keeps the first paragraph and cuts long text at a word', () => {
    expect(shortDescription('First part.\n\nDetails nobody needs.')).toBe('First part.');
    const long = shortDescription('word '.repeat(100), 50);
    expect(long.length).toBeLessThanOrEqual(51);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('score fusion', () => {
  it('scales each side to [0, 1] and mixes them by share, so a clear dense winner stays ahead of a weak lexical match', () => {
    const dense = [
      { doc: 1, score: 0.9 },
      { doc: 2, score: 0.5 },
      { doc: 3, score: 0.4 },
    ];
    const lexical = [
      { doc: 3, score: 8 },
      { doc: 1, score: 2 },
    ];
    const fused = scoreFusion(lexical, dense, 0.4);
    expect(fused.get(1)).toBeCloseTo(0.6 * 1 + 0.4 * 0.25);
    expect(fused.get(2)).toBeCloseTo(0.6 * 0.2);
    expect(fused.get(3)).toBeCloseTo(0.6 * 0 + 0.4 * 1);
    expect([...fused].sort((a, b) => b[1] - a[1]).map(([d]) => d)).toEqual([1, 3, 2]);
    // Rank fusion would put the lexical winner level with the dense one.
    expect(scoreFusion([], dense, 0.4).get(1)).toBeCloseTo(0.6);
    expect(scoreFusion(lexical, [], 0.4).get(3)).toBeCloseTo(0.4);
  });
});

describe('VectorStore', () => {
  const unit = (...xs: number[]) => {
    const n = Math.hypot(...xs);
    return Float32Array.from(xs.map((x) => x / n));
  };
  it('finds the closest vectors, best first, after rows are replaced and deleted', () => {
    const store = new VectorStore();
    for (let doc = 0; doc < 50; doc++) store.set(doc, unit(Math.cos(doc / 10), Math.sin(doc / 10), 0), doc % 3);
    store.set(7, unit(0, 0, 1)); // replaced in place
    store.delete(3); // its row taken by the last one
    store.delete(49);
    expect(store.size).toBe(48);
    const q = unit(Math.cos(0.3), Math.sin(0.3), 0);
    expect(store.search(q, 3).map((s) => s.doc)).toEqual([2, 4, 1]);
    expect(store.search(unit(0, 0, 1), 1)[0]).toMatchObject({ doc: 7 });
    // Equal scores keep the lower doc id; a group bonus lifts its rows.
    expect(store.search(unit(0, 0, -1), 2).map((s) => s.doc)).toEqual([0, 1]);
    expect(store.search(q, 2, undefined, [0, 0, 0.5]).map((s) => s.doc)).toEqual([2, 5]);
    expect(store.search(q, 2, (doc) => doc > 40).map((s) => s.doc)).toEqual([48, 47]);
    // A vector of another length (another model) starts the store afresh.
    store.set(1, unit(1, 0));
    expect(store.size).toBe(1);
  });
});

describe('score fusion with an unsure dense side', () => {
  it('weighs a dense list whose scores lie close together less than a confident one', () => {
    const unsure = [
      { doc: 1, score: 0.3 },
      { doc: 2, score: 0.2 },
    ];
    const lexical = [{ doc: 2, score: 5 }];
    // Stretched to [0, 1], the unsure dense winner would tie the lexical one (0.6 against 0.4 + 0).
    expect(scoreFusion(lexical, unsure, 0.4).get(1)).toBeCloseTo(0.6);
    const fused = scoreFusion(lexical, unsure, 0.4, 0.3);
    expect(fused.get(1)).toBeCloseTo(0.6 * (0.1 / 0.3));
    expect(fused.get(2)).toBeCloseTo(0.4);
    expect(fused.get(2)!).toBeGreaterThan(fused.get(1)!);
  });
});
