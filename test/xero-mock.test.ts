// The Xero mock MCP server against the official one: the SDK Client over real stdio, real child
// processes (node dist/...; `npm test` builds first), tool definitions compared with the official
// server's own tools/list and with the benchmark pool's copy of it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { detectPlainTextError, XERO_ERROR_PATTERNS } from '../src/catalog/plain-text-errors.js';
import { ROOT, tempDir } from './support/hub.js';

const MOCK = path.join(ROOT, 'dist/mocks/xero-mcp/server.js');
const OFFICIAL = path.join(ROOT, 'node_modules/@xeroapi/xero-mcp-server/dist/index.js');
// A copy (with its MIT licence) of the benchmark data's Xero entry: the tests need nothing beside the checkout.
const POOL = path.join(ROOT, 'test/fixtures/xero-official-tools/pool-xero.json');
const FINANCE_TOOLS = [
  'list-invoices', 'list-contacts', 'list-payments', 'list-aged-receivables-by-contact', 'list-profit-and-loss',
  'list-organisation-details', 'list-accounts', 'list-credit-notes', 'list-items', 'list-quotes',
  'create-invoice', 'update-invoice', 'create-contact', 'create-payment',
];

type Result = { content: Array<{ type: string; text?: string }>; structuredContent?: any; isError?: boolean };

async function connect(script: string, env: Record<string, string> = {}): Promise<Client> {
  if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first`);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [script],
    env: { PATH: process.env.PATH ?? '', ...env },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'xero-mock-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as Result;
const texts = (r: Result) => r.content.map((b) => b.text ?? '');
const today = () => new Date().toISOString().slice(0, 10);

async function allInvoices(client: Client, args: Record<string, unknown> = {}): Promise<any[]> {
  const invoices: any[] = [];
  for (let page = 1; ; page++) {
    const r = await call(client, 'list-invoices', { page, ...args });
    invoices.push(...r.structuredContent.invoices);
    if (r.structuredContent.invoices.length < 10) return invoices;
  }
}

describe('xero mock: tool definitions', () => {
  let mock: Client;
  let official: Client;
  let mockTools: Tool[];
  let officialTools: Tool[];

  beforeAll(async () => {
    [mock, official] = await Promise.all([connect(MOCK), connect(OFFICIAL, { XERO_CLIENT_ID: 'dummy', XERO_CLIENT_SECRET: 'dummy' })]);
    [mockTools, officialTools] = await Promise.all([mock.listTools().then((r) => r.tools), official.listTools().then((r) => r.tools)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([mock?.close(), official?.close()]);
  });

  it('the official server starts offline and lists its 51 tools', () => {
    const names = officialTools.map((t) => t.name).sort();
    console.log(`official @xeroapi/xero-mcp-server lists ${names.length} tools: ${names.join(', ')}`);
    expect(names).toHaveLength(51);
    expect(new Set(names).size).toBe(51);
    expect(official.getServerVersion()?.name).toBe('Xero MCP Server');
  });

  it('serves the finance tools with the official names, descriptions, schemas and execution hints', () => {
    const served = mockTools.map((t) => t.name);
    for (const name of FINANCE_TOOLS) expect(served).toContain(name);
    for (const tool of mockTools) {
      const theirs = officialTools.find((t) => t.name === tool.name);
      expect(theirs, tool.name).toBeDefined();
      expect(tool, tool.name).toEqual(theirs);
    }
  });

  it('matches the benchmark pool definitions of the same tools', () => {
    const pool = JSON.parse(readFileSync(POOL, 'utf8')).servers.find((s: { name: string }) => s.name === 'xero').tools as Tool[];
    expect(pool).toHaveLength(51);
    for (const tool of mockTools) {
      const theirs = pool.find((t) => t.name === tool.name)!;
      expect(theirs, tool.name).toBeDefined();
      expect(tool.description).toBe(theirs.description);
      // The pool was captured with a zod-to-JSON-schema that also wrote additionalProperties:false for
      // argument-less tools; today's official server (and so the mock) leaves it out. Nothing else differs.
      const expected = { ...theirs.inputSchema };
      if (Object.keys(expected.properties ?? {}).length === 0 && tool.inputSchema.additionalProperties === undefined) delete expected.additionalProperties;
      expect(tool.inputSchema, tool.name).toEqual(expected);
    }
  });

  it('rejects bad arguments the way the official server does', async () => {
    const [ours, theirs] = await Promise.all([call(mock, 'list-invoices', { page: 'one' }), call(official, 'list-invoices', { page: 'one' })]);
    const prefix = 'MCP error -32602: Input validation error: Invalid arguments for tool list-invoices: ';
    expect(theirs.isError).toBe(true);
    expect(theirs.content[0].text?.startsWith(prefix)).toBe(true);
    expect(ours.isError).toBe(true);
    expect(ours.content[0].text?.startsWith(prefix)).toBe(true);
    expect(ours.content[0].text).toContain('page');
  });

  it('the official server, with no Xero account reachable, fails in plain text that the hub detects', async () => {
    const r = await call(official, 'list-invoices', { page: 1 });
    expect(r.isError).toBeUndefined();
    expect(r.content).toHaveLength(1);
    expect(r.content[0].text).toMatch(/^Error listing invoices: Failed to get Xero token/);
    expect(detectPlainTextError(r, XERO_ERROR_PATTERNS)).toBe(r.content[0].text);
  }, 60_000);
});

describe('xero mock: data and writes', () => {
  let client: Client;
  let stateFile: string;

  beforeAll(async () => {
    stateFile = path.join(tempDir('xero-mock-'), 'state.json');
    client = await connect(MOCK, { XERO_MOCK_STATE_FILE: stateFile });
  }, 30_000);
  afterAll(async () => {
    await client?.close();
  });

  it('lists the organisation', async () => {
    const r = await call(client, 'list-organisation-details', {});
    expect(texts(r)[0]).toBe('Organisation Details:');
    expect(texts(r)[1]).toContain('Name: Acme Ltd || "No name available."');
    expect(texts(r)[1]).toContain('Base Currency: GBP');
  });

  it('pages list-invoices ten at a time, newest first, in the official text format', async () => {
    const first = await call(client, 'list-invoices', { page: 1 });
    expect(texts(first)[0]).toBe('Found 10 invoices:');
    expect(first.content).toHaveLength(11);
    const second = await call(client, 'list-invoices', { page: 2 });
    expect(texts(second)[0]).toBe('Found 2 invoices:');
    const updated = [...first.structuredContent.invoices, ...second.structuredContent.invoices].map((i: any) => i.updatedDateUTC);
    expect(updated).toEqual([...updated].sort().reverse());
    // Text and structured data describe the same invoices.
    first.structuredContent.invoices.forEach((inv: any, i: number) => {
      const block = texts(first)[i + 1];
      expect(block.split('\n').slice(0, 2)).toEqual([`Invoice ID: ${inv.invoiceID}`, `Invoice: ${inv.invoiceNumber}`]);
      expect(block).toContain(`Contact: ${inv.contact.name} (${inv.contact.contactID})`);
      if (inv.amountDue) expect(block).toContain(`Amount Due: ${inv.amountDue}`);
      else expect(block).not.toContain('Amount Due:');
    });
    expect(detectPlainTextError(first, XERO_ERROR_PATTERNS)).toBeUndefined();
  });

  it('finds the unpaid overdue invoices', async () => {
    const invoices = await allInvoices(client);
    expect(invoices).toHaveLength(12);
    const overdue = invoices.filter((i) => i.status === 'AUTHORISED' && i.amountDue > 0 && i.dueDate < today());
    expect(overdue.map((i) => i.invoiceNumber).sort()).toEqual(['INV-0002', 'INV-0003', 'INV-0004', 'INV-0008', 'PD-88231']);
    const inv3 = overdue.find((i) => i.invoiceNumber === 'INV-0003');
    expect([inv3.total, inv3.amountPaid, inv3.amountDue]).toEqual([4800, 1800, 3000]);
    expect(invoices.filter((i) => i.status === 'PAID').length).toBeGreaterThanOrEqual(2);
    expect(invoices.filter((i) => i.status === 'DRAFT').length).toBeGreaterThanOrEqual(2);
  });

  it('honours the contactIds and invoiceNumbers filters, with line items for invoice numbers', async () => {
    const contacts = (await call(client, 'list-contacts', { searchTerm: 'ridgeway' })).structuredContent.contacts;
    expect(contacts.map((c: any) => c.name)).toEqual(['Ridgeway University']);
    const ridgeway = await allInvoices(client, { contactIds: [contacts[0].contactID] });
    expect(ridgeway.map((i) => i.invoiceNumber).sort()).toEqual(['INV-0004', 'INV-0008']);

    const r = await call(client, 'list-invoices', { page: 1, invoiceNumbers: ['INV-0004'] });
    expect(texts(r)[0]).toBe('Found 1 invoices:');
    expect(texts(r)[1]).toContain('Line Items: Item ID: [object Object]\nItem Code: TRAIN-SEAT\nDescription: Training seat');
  });

  it('create-invoice adds a draft invoice, kept in the state file and across a restart', async () => {
    const ridgeway = (await call(client, 'list-contacts', { searchTerm: 'ridgeway' })).structuredContent.contacts[0];
    const r = await call(client, 'create-invoice', {
      contactId: ridgeway.contactID,
      type: 'ACCREC',
      reference: 'Overdue reminder fee',
      lineItems: [{ description: 'Late payment fee', quantity: 1, unitAmount: 40, accountCode: '260', taxType: 'OUTPUT2' }],
    });
    const [header, id, contact, type] = texts(r)[0].split('\n');
    expect([header, contact, type]).toEqual(['Invoice created successfully:', 'Contact: Ridgeway University', 'Type: ACCREC']);
    expect(texts(r)[0]).toContain('Total: 48\nStatus: DRAFT\nLink to view:  https://go.xero.com/app/');
    const invoiceID = id.replace('ID: ', '');
    expect(r.structuredContent.invoice).toMatchObject({ invoiceID, invoiceNumber: 'INV-0010', status: 'DRAFT', total: 48 });

    const listed = await call(client, 'list-invoices', { page: 1, invoiceNumbers: ['INV-0010'] });
    expect(listed.structuredContent.invoices.map((i: any) => i.invoiceID)).toEqual([invoiceID]);

    const saved = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(saved.invoices.find((i: any) => i.invoiceID === invoiceID)).toMatchObject({ reference: 'Overdue reminder fee', amountDue: 48, contact: { name: 'Ridgeway University' } });

    const again = await connect(MOCK, { XERO_MOCK_STATE_FILE: stateFile });
    try {
      expect((await allInvoices(again)).some((i) => i.invoiceID === invoiceID)).toBe(true);
    } finally {
      await again.close();
    }
  });

  it('update-invoice changes drafts and refuses others with the official text', async () => {
    const invoices = await allInvoices(client);
    const draft = invoices.find((i) => i.invoiceNumber === 'INV-0007');
    const updated = await call(client, 'update-invoice', { invoiceId: draft.invoiceID, reference: 'PO 4471', dueDate: '2031-01-31' });
    expect(texts(updated)[0]).toMatch(/^Invoice updated successfully:\nID: .*\nContact: City Limousines\nType: ACCREC\nTotal: 1560\nStatus: DRAFT\nLink to view: /);
    expect(updated.structuredContent.invoice).toMatchObject({ reference: 'PO 4471', dueDate: '2031-01-31' });

    const authorised = invoices.find((i) => i.invoiceNumber === 'INV-0002');
    const refused = await call(client, 'update-invoice', { invoiceId: authorised.invoiceID, reference: 'x' });
    expect(refused.isError).toBeUndefined();
    expect(texts(refused)).toEqual(['Error updating invoice: Cannot update invoice because it is not a draft. Current status: AUTHORISED']);
    expect(detectPlainTextError(refused, XERO_ERROR_PATTERNS)).toBeDefined();
  });

  it('create-payment settles an overdue invoice', async () => {
    const bank = (await call(client, 'list-accounts', {})).structuredContent.accounts.find((a: any) => a.type === 'BANK');
    const inv4 = (await allInvoices(client)).find((i) => i.invoiceNumber === 'INV-0004');
    const tooMuch = await call(client, 'create-payment', { invoiceId: inv4.invoiceID, accountId: bank.accountID, amount: inv4.amountDue + 1 });
    expect(texts(tooMuch)).toEqual(['Error creating payment: An unexpected error occurred while communicating with Xero.']);

    const r = await call(client, 'create-payment', { invoiceId: inv4.invoiceID, accountId: bank.accountID, amount: inv4.amountDue, reference: 'BACS RU' });
    expect(texts(r)[0]).toMatch(/^Invoice created successfully:\nID: .*\nReference: BACS RU\nInvoice Number: INV-0004\nAmount: 960\nStatus: AUTHORISED/);
    const after = (await call(client, 'list-invoices', { page: 1, invoiceNumbers: ['INV-0004'] })).structuredContent.invoices[0];
    expect(after).toMatchObject({ status: 'PAID', amountDue: 0, amountPaid: 960 });
    const payments = (await call(client, 'list-payments', { invoiceNumber: 'INV-0004' })).structuredContent.payments;
    expect(payments.map((p: any) => p.amount)).toEqual([960]);
    const saved = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(saved.invoices.find((i: any) => i.invoiceNumber === 'INV-0004').status).toBe('PAID');
  });

  it('create-contact adds a contact; a duplicate name fails as Xero does', async () => {
    const r = await call(client, 'create-contact', { name: 'Northwind Traders', email: 'ap@northwind.example' });
    expect(texts(r)[0]).toMatch(/^Contact created: Northwind Traders \(ID: [0-9a-f-]{36}\)\nLink to view:  https:\/\/go\.xero\.com\/app\/.+\/contacts\/contact\//);
    const dup = await call(client, 'create-contact', { name: 'Northwind Traders' });
    expect(texts(dup)).toEqual(['Error creating contact: An unexpected error occurred while communicating with Xero.']);
    const found = (await call(client, 'list-contacts', { searchTerm: 'northwind' })).structuredContent.contacts;
    expect(found).toHaveLength(1);
  });

  it('reports aged receivables from the ledger', async () => {
    const marine = (await call(client, 'list-contacts', { searchTerm: 'marine' })).structuredContent.contacts[0];
    const r = await call(client, 'list-aged-receivables-by-contact', { contactId: marine.contactID });
    expect(texts(r).slice(0, 3)).toEqual(['Report Name: Aged Receivables By Contact', expect.stringMatching(/^Report Date: \d+ \w+ \d{4}$/), 'Showing all relevant invoices']);
    const rows = JSON.parse(texts(r)[3]);
    const section = rows.find((row: any) => row.rowType === 'Section');
    const numbers = section.rows.filter((row: any) => row.rowType === 'Row').map((row: any) => row.cells[1].value);
    expect(numbers).toEqual(['INV-0003']);
    expect(section.rows.at(-1).cells.at(-1).value).toBe('3000.00');
  });
});

describe('xero mock: injected failures', () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(MOCK, { XERO_MOCK_FAIL: 'list-invoices,create-invoice' });
  }, 30_000);
  afterAll(async () => {
    await client?.close();
  });

  it('answers the named tools with the official plain-text failure, and only those', async () => {
    const r = await call(client, 'list-invoices', { page: 1 });
    expect(r.isError).toBeUndefined();
    expect(texts(r)).toEqual(['Error listing invoices: Failed to get Xero token with V1 scopes: {"error":"invalid_client"}']);
    expect(detectPlainTextError(r, XERO_ERROR_PATTERNS)).toBe(texts(r)[0]);

    const ok = await call(client, 'list-contacts', {});
    expect(texts(ok)[0]).toBe('Found 8 contacts:');
    expect(detectPlainTextError(ok, XERO_ERROR_PATTERNS)).toBeUndefined();
  });

  it('XERO_MOCK_FAIL_KIND picks the failure', async () => {
    const other = await connect(MOCK, { XERO_MOCK_FAIL: '*', XERO_MOCK_FAIL_KIND: 'unauthorized' });
    try {
      const r = await call(other, 'list-organisation-details', {});
      expect(texts(r)).toEqual(['Error fetching organisation details: Authentication failed. Please check your Xero credentials.']);
    } finally {
      await other.close();
    }
  });
});
