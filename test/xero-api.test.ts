// The Xero Accounting API mock (mocks/xero-api) over real HTTP, and the official Xero MCP server
// (@xeroapi/xero-mcp-server, xero-node -> axios -> https) running unchanged against it as a real stdio child,
// routed by the preload. Everything runs from dist (`npm test` builds first).
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { detectPlainTextError, XERO_ERROR_PATTERNS } from '../src/catalog/plain-text-errors.js';
import type * as XeroApiModule from '../mocks/xero-api/index.js';
import { ROOT, tempDir } from './support/hub.js';

const INDEX = path.join(ROOT, 'dist/mocks/xero-api/index.js');
type Mock = XeroApiModule.XeroApiMock;
let api: typeof XeroApiModule;

beforeAll(async () => {
  if (!existsSync(INDEX)) throw new Error(`${INDEX} is missing: run npm run build first`);
  api = (await import(pathToFileURL(INDEX).href)) as typeof XeroApiModule;
});

// ------------------------------------------------------------------------------------------------ helpers

interface Answer { status: number; headers: http.IncomingHttpHeaders; text: string; json: any }

/** One HTTP request to the mock, as a client that reached it directly (or with `host` set, as the preload sends). */
function request(mock: Mock, method: string, pathAndQuery: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(mock.url + pathAndQuery, { method, headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json: any;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function token(mock: Mock, scope = api.GRANULAR_SCOPES.join(' ')): Promise<string> {
  const r = await request(mock, 'POST', '/connect/token', {
    headers: { ...form, authorization: basic(mock.env.XERO_CLIENT_ID, mock.env.XERO_CLIENT_SECRET) },
    body: `grant_type=client_credentials&scope=${encodeURIComponent(scope)}`,
  });
  expect(r.status, r.text).toBe(200);
  return r.json.access_token;
}

/** GET/PUT/POST under /api.xro/2.0 with a fresh token and the tenant header. */
async function accounting(mock: Mock, method: string, pathAndQuery: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${await token(mock)}`, 'xero-tenant-id': mock.tenantId, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return request(mock, method, `/api.xro/2.0${pathAndQuery}`, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const MS_DATE = /^\/Date\(\d+\+0000\)\/$/;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Date#toString of midnight UTC on `day`, in a process with TZ=UTC (how the official server prints xero-node's Dates). */
function utcToString(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, '0')} ${d.getUTCFullYear()} 00:00:00 GMT+0000 (Coordinated Universal Time)`;
}

// ------------------------------------------------------------------------------------------------ HTTP

describe('xero api mock: identity and connections', () => {
  let mock: Mock;
  beforeAll(async () => {
    mock = await api.startXeroApiMock();
  });
  afterAll(async () => {
    await mock?.close();
  });

  it('issues a 30-minute bearer token for the client credentials, shaped like Xero\'s JWT', async () => {
    const r = await request(mock, 'POST', '/connect/token', {
      headers: { ...form, authorization: basic(mock.env.XERO_CLIENT_ID, mock.env.XERO_CLIENT_SECRET), host: 'identity.xero.com' },
      body: `grant_type=client_credentials&scope=${encodeURIComponent('accounting.invoices accounting.contacts')}`,
    });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(r.json).toMatchObject({ expires_in: 1800, token_type: 'Bearer', scope: 'accounting.invoices accounting.contacts' });
    const [header, payload, signature] = r.json.access_token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    expect(claims).toMatchObject({ iss: 'https://identity.xero.com', client_id: mock.env.XERO_CLIENT_ID, scope: ['accounting.invoices', 'accounting.contacts'] });
    expect(claims.exp - claims.nbf).toBe(1800);
    expect(signature.length).toBeGreaterThan(100);
  });

  it('refuses wrong client credentials with invalid_client and scopes the app lacks with invalid_scope', async () => {
    const wrong = await request(mock, 'POST', '/connect/token', {
      headers: { ...form, authorization: basic(mock.env.XERO_CLIENT_ID, 'not-the-secret') },
      body: 'grant_type=client_credentials&scope=accounting.invoices',
    });
    expect([wrong.status, wrong.json]).toEqual([400, { error: 'invalid_client' }]);
    // The official server asks for the broad (V1) scopes first; an app created today holds granular ones.
    const broad = await request(mock, 'POST', '/connect/token', {
      headers: { ...form, authorization: basic(mock.env.XERO_CLIENT_ID, mock.env.XERO_CLIENT_SECRET) },
      body: `grant_type=client_credentials&scope=${encodeURIComponent(api.BROAD_SCOPES.join(' '))}`,
    });
    expect([broad.status, broad.json]).toEqual([400, { error: 'invalid_scope' }]);
    const grant = await request(mock, 'POST', '/connect/token', {
      headers: { ...form, authorization: basic(mock.env.XERO_CLIENT_ID, mock.env.XERO_CLIENT_SECRET) },
      body: 'grant_type=authorization_code&code=x',
    });
    expect([grant.status, grant.json]).toEqual([400, { error: 'unsupported_grant_type' }]);
  });

  it('lists the one connected organisation for a valid token, 401 with Xero\'s body without one', async () => {
    const r = await request(mock, 'GET', '/connections', { headers: { authorization: `Bearer ${await token(mock)}`, host: 'api.xero.com' } });
    expect(r.status).toBe(200);
    expect(r.json).toHaveLength(1);
    expect(Object.keys(r.json[0]).sort()).toEqual(['authEventId', 'createdDateUtc', 'id', 'tenantId', 'tenantName', 'tenantType', 'updatedDateUtc']);
    expect(r.json[0]).toMatchObject({ tenantId: mock.state.organisation.organisationID, tenantType: 'ORGANISATION', tenantName: 'Acme Ltd' });
    expect(r.json[0].createdDateUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$/);

    const none = await request(mock, 'GET', '/connections', { headers: { host: 'api.xero.com' } });
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ Type: null, Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful', Extensions: {} });
    expect(none.json.Instance).toMatch(/^[0-9a-f-]{36}$/);
    // Each host serves its own paths only.
    const wrongHost = await request(mock, 'GET', '/connections', { headers: { authorization: `Bearer ${await token(mock)}`, host: 'identity.xero.com' } });
    expect(wrongHost.status).toBe(404);
  });

  it('answers the Accounting API only with a known bearer token (401) and the connected tenant (403)', async () => {
    const noToken = await request(mock, 'GET', '/api.xro/2.0/Invoices', { headers: { 'xero-tenant-id': mock.tenantId } });
    expect([noToken.status, noToken.json?.Detail]).toEqual([401, 'AuthenticationUnsuccessful']);
    const badToken = await request(mock, 'GET', '/api.xro/2.0/Invoices', { headers: { authorization: 'Bearer eyJ.forged.token', 'xero-tenant-id': mock.tenantId } });
    expect(badToken.status).toBe(401);
    const bearer = `Bearer ${await token(mock)}`;
    const noTenant = await request(mock, 'GET', '/api.xro/2.0/Invoices', { headers: { authorization: bearer } });
    expect(noTenant.status).toBe(403);
    expect(noTenant.json).toMatchObject({ Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful' });
    const otherTenant = await request(mock, 'GET', '/api.xro/2.0/Invoices', { headers: { authorization: bearer, 'xero-tenant-id': '00000000-0000-0000-0000-000000000000' } });
    expect(otherTenant.status).toBe(403);
    mock.revokeTokens();
    const revoked = await request(mock, 'GET', '/api.xro/2.0/Invoices', { headers: { authorization: bearer, 'xero-tenant-id': mock.tenantId } });
    expect(revoked.status).toBe(401);
  });
});

describe('xero api mock: Accounting API payloads', () => {
  let mock: Mock;
  beforeAll(async () => {
    mock = await api.startXeroApiMock();
  });
  afterAll(async () => {
    await mock?.close();
  });

  it('wraps lists in Xero\'s envelope, with /Date(ms)/ dates (slashes escaped on the wire), DateString and pagination', async () => {
    const r = await accounting(mock, 'GET', `/Invoices?order=${encodeURIComponent('UpdatedDateUTC DESC')}&page=1&pageSize=10`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.text).toMatch(/"DateTimeUTC":"\\\/Date\(\d+\)\\\/"/);
    expect(Object.keys(r.json)).toEqual(['Id', 'Status', 'ProviderName', 'DateTimeUTC', 'pagination', 'Invoices']);
    expect(r.json.Status).toBe('OK');
    expect(r.json.pagination).toEqual({ page: 1, pageSize: 10, pageCount: 2, itemCount: 12 });
    expect(r.json.Invoices).toHaveLength(10);
    const updated = r.json.Invoices.map((i: any) => Number(/\d+/.exec(i.UpdatedDateUTC)![0]));
    expect(updated).toEqual([...updated].sort((a, b) => b - a));

    const inv3 = (await accounting(mock, 'GET', '/Invoices?InvoiceNumbers=INV-0003&page=1')).json.Invoices[0];
    const seeded = mock.state.invoices.find((i) => i.invoiceNumber === 'INV-0003')!;
    expect(inv3).toMatchObject({ Type: 'ACCREC', InvoiceNumber: 'INV-0003', Status: 'AUTHORISED', Total: 4800, AmountPaid: 1800, AmountDue: 3000, LineAmountTypes: 'Exclusive', CurrencyCode: 'GBP' });
    expect(inv3.Date).toBe(`/Date(${Date.parse(seeded.date)}+0000)/`);
    expect(inv3.DateString).toBe(`${seeded.date}T00:00:00`);
    expect(inv3.DueDate).toMatch(MS_DATE);
    expect(inv3.Contact).toMatchObject({ ContactID: seeded.contact.contactID, Name: 'Marine Systems' });
    expect(inv3.LineItems).toHaveLength(1);
    expect(inv3.Payments).toEqual([expect.objectContaining({ Amount: 1800, Date: expect.stringMatching(MS_DATE) })]);
    // Without page, Xero lists every invoice with no line items and no pagination.
    const all = (await accounting(mock, 'GET', '/Invoices')).json;
    expect(all.pagination).toBeUndefined();
    expect(all.Invoices).toHaveLength(12);
    expect(all.Invoices.every((i: any) => i.LineItems.length === 0)).toBe(true);
  });

  it('deserializes through xero-node into the objects the official server reads, and sends no field xero-node does not know', async () => {
    const requireFromOfficial = createRequire(api.officialXeroServerPath());
    const { ObjectSerializer } = requireFromOfficial('xero-node/dist/gen/model/accounting/models.js');
    const models = requireFromOfficial('xero-node/dist/gen/model/accounting/models.js');
    // Xero sends these; xero-node's models have no field for them (so they are dropped).
    const XERO_ONLY: Record<string, string[]> = { Invoice: ['DateString', 'DueDateString'], CreditNote: ['DateString'] };
    const ENVELOPE = ['Id', 'Status', 'ProviderName', 'DateTimeUTC'];
    const unknown: string[] = [];
    const walk = (value: any, type: string, where: string) => {
      if (value === null || value === undefined) return;
      const array = /^Array<(.+)>$/.exec(type);
      if (array) return value.forEach((v: any, i: number) => walk(v, array[1], `${where}[${i}]`));
      const model = models[type];
      if (!model?.getAttributeTypeMap) return; // primitive, Date or enum
      const attributes = model.getAttributeTypeMap() as Array<{ baseName: string; type: string }>;
      for (const key of Object.keys(value)) {
        const attribute = attributes.find((a) => a.baseName === key);
        if (attribute) walk(value[key], attribute.type, `${where}.${key}`);
        else if (!(XERO_ONLY[type] ?? []).includes(key)) unknown.push(`${where}.${key} (${type})`);
      }
    };
    const contact = mock.state.contacts.find((c) => c.name === 'Marine Systems')!;
    const endpoints: Array<[string, string]> = [
      ['/Invoices?page=1', 'Invoices'],
      [`/Invoices/${mock.state.invoices[0].invoiceID}`, 'Invoices'],
      ['/Contacts', 'Contacts'],
      [`/Contacts/${contact.contactID}`, 'Contacts'],
      ['/Payments?page=1', 'Payments'],
      ['/Organisation', 'Organisations'],
      ['/Accounts', 'Accounts'],
      ['/TaxRates', 'TaxRates'],
      ['/Items', 'Items'],
      ['/CreditNotes?page=1', 'CreditNotes'],
      ['/Quotes?page=1', 'Quotes'],
      [`/Reports/AgedReceivablesByContact?contactId=${contact.contactID}`, 'ReportWithRows'],
      ['/Reports/ProfitAndLoss', 'ReportWithRows'],
      ['/Reports/BalanceSheet', 'ReportWithRows'],
      ['/Reports/TrialBalance', 'ReportWithRows'],
    ];
    const bodies: Record<string, any> = {};
    for (const [endpoint, type] of endpoints) {
      const r = await accounting(mock, 'GET', endpoint);
      expect(r.status, endpoint).toBe(200);
      const { [type === 'ReportWithRows' ? 'Reports' : type]: _items, pagination: _p, ...envelope } = r.json;
      expect(Object.keys(envelope), endpoint).toEqual(ENVELOPE);
      walk(Object.fromEntries(Object.entries(r.json).filter(([k]) => !ENVELOPE.includes(k))), type, endpoint);
      bodies[endpoint] = ObjectSerializer.deserialize(r.json, type);
    }
    expect(unknown).toEqual([]);

    const invoices = bodies['/Invoices?page=1'].invoices;
    expect(invoices).toHaveLength(12);
    const inv3 = invoices.find((i: any) => i.invoiceNumber === 'INV-0003');
    expect(inv3.date).toBeInstanceOf(Date);
    expect(inv3.date.toISOString()).toBe(`${mock.state.invoices.find((i) => i.invoiceNumber === 'INV-0003')!.date}T00:00:00.000Z`);
    expect(inv3.updatedDateUTC).toBeInstanceOf(Date);
    expect([inv3.status, inv3.type, inv3.amountDue, inv3.contact.name]).toEqual(['AUTHORISED', 'ACCREC', 3000, 'Marine Systems']);
    const inv4 = invoices.find((i: any) => i.invoiceNumber === 'INV-0004');
    expect(inv4.lineItems[0].item).toMatchObject({ code: 'TRAIN-SEAT', name: 'Training seat' });
    expect(bodies['/Payments?page=1'].payments[0].date).toBeInstanceOf(Date);
    expect(bodies['/Organisation'].organisations[0]).toMatchObject({ name: 'Acme Ltd', shortCode: '!Acm3L', _class: 'PREMIUM', baseCurrency: 'GBP' });
    expect(bodies['/Organisation'].organisations[0].createdDateUTC).toBeInstanceOf(Date);
    expect(bodies['/Quotes?page=1'].quotes[0].dateString).toMatch(/^\d{4}-\d\d-\d\dT00:00:00$/);
    const aged = bodies[`/Reports/AgedReceivablesByContact?contactId=${contact.contactID}`].reports[0];
    expect(aged.reportName).toBe('Aged Receivables By Contact');
    const section = aged.rows.find((r: any) => r.rowType === 'Section');
    expect(section.rows[0].cells.map((c: any) => c.value).slice(1, 2)).toEqual(['INV-0003']);
    expect(section.rows[0].cells[3].value).toMatch(/^\d+ days overdue$/);
    expect(section.rows.at(-1).cells.at(-1).value).toBe('3000.00');
    // The balance sheet balances: net assets equal equity.
    const bs = bodies['/Reports/BalanceSheet'].reports[0].rows;
    const value = (title: string) => bs.flatMap((r: any) => r.rows ?? []).find((r: any) => r.cells?.[0].value === title).cells[1].value;
    expect(value('Net Assets')).toBe(value('Total Equity'));
  });

  it('filters with where (as the official list-payments and list-credit-notes send it) and refuses a filter it cannot read', async () => {
    const where = (w: string) => encodeURIComponent(w);
    const inv3 = mock.state.invoices.find((i) => i.invoiceNumber === 'INV-0003')!;
    const byNumber = await accounting(mock, 'GET', `/Payments?where=${where('Invoice.InvoiceNumber=="INV-0003"')}&order=${where('UpdatedDateUTC DESC')}&page=1&pageSize=10`);
    expect(byNumber.json.Payments.map((p: any) => p.Amount)).toEqual([1800]);
    const byGuid = await accounting(mock, 'GET', `/Payments?where=${where(`Invoice.InvoiceID==guid("${inv3.invoiceID.toUpperCase()}") AND Reference=="Part payment"`)}`);
    expect(byGuid.json.Payments).toHaveLength(1);
    const bayside = mock.state.contacts.find((c) => c.name === 'Bayside Club')!;
    const notes = await accounting(mock, 'GET', `/CreditNotes?where=${where(`Contact.ContactID=guid("${bayside.contactID}")`)}&page=1&pageSize=10`);
    expect(notes.json.CreditNotes.map((c: any) => c.CreditNoteNumber)).toEqual(['CN-0001']);
    const overdue = await accounting(mock, 'GET', `/Invoices?where=${where('Type=="ACCREC" AND Status=="AUTHORISED" AND AmountDue>0')}&order=InvoiceNumber`);
    expect(overdue.json.Invoices.map((i: any) => i.InvoiceNumber)).toEqual(['INV-0002', 'INV-0003', 'INV-0004', 'INV-0006', 'INV-0008']);
    const bad = await accounting(mock, 'GET', `/Invoices?where=${where('Colour=="red"')}`);
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ ErrorNumber: 16, Type: 'QueryParseException', Message: "No property or field 'Colour' exists in type 'Invoice'" });
  });

  it('creates, updates and pays as xero-node sends them, and answers 400 ValidationException and 404 as Xero', async () => {
    const ridgeway = mock.state.contacts.find((c) => c.name === 'Ridgeway University')!;
    const line = { Description: 'Late payment fee', Quantity: 1, UnitAmount: 40, AccountCode: '260', TaxType: 'OUTPUT2' };
    const created = await accounting(mock, 'PUT', '/Invoices?summarizeErrors=true', { Invoices: [{ Type: 'ACCREC', Contact: { ContactID: ridgeway.contactID }, LineItems: [line], Date: '2026-01-15', DueDate: '2026-02-14', Reference: 'Late fee', Status: 'DRAFT' }] });
    expect(created.status).toBe(200);
    const invoice = created.json.Invoices[0];
    expect(invoice).toMatchObject({ InvoiceNumber: 'INV-0010', Status: 'DRAFT', Total: 48, AmountDue: 48, Reference: 'Late fee', DateString: '2026-01-15T00:00:00', Date: `/Date(${Date.parse('2026-01-15')}+0000)/` });

    const refused = await accounting(mock, 'PUT', '/Invoices?summarizeErrors=true', { Invoices: [{ Type: 'ACCREC', Contact: { ContactID: ridgeway.contactID }, LineItems: [{ ...line, AccountCode: '999' }] }] });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ ErrorNumber: 10, Type: 'ValidationException', Message: 'A validation exception occurred' });
    expect(refused.json.Elements[0].ValidationErrors).toEqual([{ Message: "Account code '999' is not a valid code for this document." }]);
    expect(mock.state.invoices).toHaveLength(13); // nothing kept from the refused batch

    const updated = await accounting(mock, 'POST', `/Invoices/${invoice.InvoiceID}`, { Invoices: [{ Reference: 'Late fee (reminder 2)', Status: 'AUTHORISED' }] });
    expect(updated.json.Invoices[0]).toMatchObject({ Reference: 'Late fee (reminder 2)', Status: 'AUTHORISED' });

    const bank = mock.state.accounts.find((a) => a.code === '090')!;
    const tooMuch = await accounting(mock, 'POST', '/Payments', { Invoice: { InvoiceID: invoice.InvoiceID }, Account: { AccountID: bank.accountID }, Amount: 49, Date: '2026-01-20' });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.json.Elements[0].ValidationErrors).toEqual([{ Message: 'Payment amount exceeds the amount outstanding on this document' }]);
    const paid = await accounting(mock, 'POST', '/Payments', { Invoice: { InvoiceID: invoice.InvoiceID }, Account: { AccountID: bank.accountID }, Amount: 48, Date: '2026-01-20', Reference: 'BACS' });
    expect(paid.status).toBe(200);
    expect(paid.json.Payments[0]).toMatchObject({ Amount: 48, Status: 'AUTHORISED', PaymentType: 'ACCRECPAYMENT', Reference: 'BACS', Invoice: { InvoiceNumber: 'INV-0010', Status: 'PAID', AmountDue: 0 } });
    expect(paid.json.Payments[0].InvoiceNumber).toBeUndefined();
    const after = await accounting(mock, 'GET', `/Invoices/${invoice.InvoiceID}`);
    expect(after.json.Invoices[0]).toMatchObject({ Status: 'PAID', AmountDue: 0, AmountPaid: 48, FullyPaidOnDate: `/Date(${Date.parse('2026-01-20')}+0000)/` });

    const duplicate = await accounting(mock, 'PUT', '/Contacts?summarizeErrors=true', { Contacts: [{ Name: 'Bayside Club' }] });
    expect(duplicate.status).toBe(400);
    expect(duplicate.json.Elements[0].ValidationErrors[0].Message).toBe('The contact name Bayside Club is already assigned to another contact. The contact name must be unique across all active contacts.');

    const missing = await accounting(mock, 'GET', '/Invoices/7b0c9b9e-0000-4000-a000-000000000000');
    expect([missing.status, missing.text]).toEqual([404, "The resource you're looking for cannot be found"]);
    expect((await accounting(mock, 'GET', '/Widgets')).status).toBe(404);
  });

  it('injects failures at the HTTP level, and counts calls against Xero\'s limits', async () => {
    mock.setFailure('GET Invoices', 'rate-limit');
    const limited = await accounting(mock, 'GET', '/Invoices');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.headers['x-rate-limit-problem']).toBe('minute');
    expect((await accounting(mock, 'GET', '/Contacts')).status).toBe(200);
    mock.setFailure('Invoices', 'not-found');
    expect((await accounting(mock, 'GET', '/Invoices')).text).toBe("The resource you're looking for cannot be found");
    mock.setFailure('*', 'forbidden');
    expect((await accounting(mock, 'GET', '/Organisation')).status).toBe(403);
    mock.setFailure('list-contacts', 'api');
    expect((await accounting(mock, 'GET', '/Contacts')).json.Type).toBe('ValidationException');
    mock.setFailure();
    const okay = await accounting(mock, 'GET', '/Organisation');
    expect(Number(okay.headers['x-minlimit-remaining'])).toBeLessThan(60);
    expect(Number(okay.headers['x-daylimit-remaining'])).toBeLessThan(5000);

    expect(() => mock.setFailure('list-invoices', 'auth')).toThrow(/acts on the token request .* cannot single out "list-invoices"; use fail "\*"/);
    expect(() => mock.setFailure('*', 'flaky')).toThrow(/unknown failKind "flaky"/);

    const strict = await api.startXeroApiMock({ enforceRateLimits: true });
    try {
      const bearer = `Bearer ${await token(strict)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 61; i++) statuses.push((await request(strict, 'GET', '/api.xro/2.0/Organisation', { headers: { authorization: bearer, 'xero-tenant-id': strict.tenantId } })).status);
      expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
      expect(statuses[60]).toBe(429);
    } finally {
      await strict.close();
    }
  });
});

// ------------------------------------------------------------------------------------------------ the official server

type Result = { content: Array<{ type: string; text?: string }>; isError?: boolean };

async function officialClient(env: Record<string, string>): Promise<Client> {
  // TZ=UTC only so the dates' text is predictable here; the hub passes whatever env its config gives.
  const server = api.officialXeroServer({ ...env, TZ: 'UTC' });
  const transport = new StdioClientTransport({ ...server, stderr: 'pipe' });
  const client = new Client({ name: 'xero-api-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

describe('the official Xero MCP server against the mock', () => {
  let mock: Mock;
  let client: Client;
  let stateFile: string;
  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as Result;
  const texts = (r: Result) => r.content.map((b) => b.text ?? '');

  beforeAll(async () => {
    stateFile = path.join(tempDir('xero-api-'), 'state.json');
    mock = await api.startXeroApiMock({ stateFile });
    client = await officialClient(mock.env);
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await mock?.close();
  });

  it('is the official server, started with exactly the mock\'s env', () => {
    expect(Object.keys(mock.env).sort()).toEqual(['NODE_OPTIONS', 'XERO_API_MOCK_URL', 'XERO_CLIENT_ID', 'XERO_CLIENT_SECRET']);
    expect(mock.env.NODE_OPTIONS).toBe(`--import=${pathToFileURL(path.join(ROOT, 'dist/mocks/xero-api/preload.js')).href}`);
    const entry = api.officialXeroServer(mock.env);
    expect(entry.command).toBe(process.execPath);
    expect(entry.args).toEqual([path.join(ROOT, 'node_modules/@xeroapi/xero-mcp-server/dist/index.js')]);
    expect(client.getServerVersion()?.name).toBe('Xero MCP Server');
  });

  it('list-invoices pages ten at a time, newest update first, in the official text', async () => {
    const before = mock.requests.length;
    const first = await call('list-invoices', { page: 1 });
    expect(texts(first)[0]).toBe('Found 10 invoices:');
    expect(first.content).toHaveLength(11);
    const inv3 = texts(first).find((t) => t.includes('Invoice: INV-0003\n'))!;
    const seeded = mock.state.invoices.find((i) => i.invoiceNumber === 'INV-0003')!;
    expect(inv3.split('\n')).toEqual(
      expect.arrayContaining([`Invoice ID: ${seeded.invoiceID}`, 'Invoice: INV-0003', 'Status: AUTHORISED', 'Type: ACCREC', `Contact: Marine Systems (${seeded.contact.contactID})`, `Date: ${utcToString(seeded.date)}`, 'Total: 4800', 'Amount Due: 3000', 'Amount Paid: 1800']),
    );
    const second = await call('list-invoices', { page: 2 });
    expect(texts(second)[0]).toBe('Found 2 invoices:');
    const inv2 = texts(second).find((t) => t.includes('Invoice: INV-0002\n'))!;
    expect(inv2).toContain('Status: AUTHORISED');
    expect(inv2).toContain('Amount Due: 2520');
    const numbers = [...texts(first), ...texts(second)].map((t) => /^Invoice: (.+)$/m.exec(t)?.[1]).filter(Boolean);
    expect(new Set(numbers).size).toBe(12);
    expect(detectPlainTextError(first, XERO_ERROR_PATTERNS)).toBeUndefined();

    // What went over the wire: the token (V1 scopes refused, then V2), connections, then the Accounting API.
    const wire = mock.requests.slice(before, before + 4).map((r) => `${r.method} ${r.host}${r.path} ${r.status}`);
    expect(wire).toEqual(['POST identity.xero.com/connect/token 400', 'POST identity.xero.com/connect/token 200', 'GET api.xero.com/connections 200', 'GET api.xero.com/api.xro/2.0/Invoices 200']);
    const list = mock.requests[before + 3];
    expect(list.query).toMatchObject({ order: 'UpdatedDateUTC DESC', page: '1', pageSize: '10', summaryOnly: 'false' });
    expect(list.headers['xero-tenant-id']).toBe(mock.tenantId);
    expect(list.headers['user-agent']).toMatch(/^xero-mcp-server-/);
  });

  it('list-contacts, list-payments, list-organisation-details and the reports', async () => {
    const contacts = await call('list-contacts');
    expect(texts(contacts)[0]).toBe('Found 8 contacts:');
    expect(texts(contacts)[1].split('\n').slice(0, 2)).toEqual(['Contact: Bayside Club', `ID: ${mock.state.contacts[0].contactID}`]);

    const payments = await call('list-payments', { page: 1, invoiceNumber: 'INV-0003' });
    expect(texts(payments)[0]).toBe('Found 1 payments:');
    expect(texts(payments)[1]).toMatch(/^Payment ID: .+\nDate: .+\nAmount: 1800\nReference: Part payment\nStatus: AUTHORISED\nPayment Type: ACCRECPAYMENT\n/);
    expect(texts(payments)[1]).toContain('Invoice:\n  Invoice Number: INV-0003');

    const org = await call('list-organisation-details');
    expect(texts(org)[0]).toBe('Organisation Details:');
    expect(texts(org)[1]).toContain('Name: Acme Ltd || "No name available."');
    expect(texts(org)[1]).toContain('Short Code: !Acm3L || "No short code available."');

    const marine = mock.state.contacts.find((c) => c.name === 'Marine Systems')!;
    const aged = await call('list-aged-receivables-by-contact', { contactId: marine.contactID });
    expect(texts(aged).slice(0, 3)).toEqual(['Report Name: Aged Receivables By Contact', expect.stringMatching(/^Report Date: \d+ \w+ \d{4}$/), 'Showing all relevant invoices']);
    const rows = JSON.parse(texts(aged)[3]);
    const section = rows.find((r: any) => r.rowType === 'Section');
    expect(section.rows.filter((r: any) => r.rowType === 'Row').map((r: any) => r.cells[1].value)).toEqual(['INV-0003']);
    expect(section.rows.at(-1).cells.at(-1).value).toBe('3000.00');

    const from = mock.state.invoices.reduce((min, i) => (i.date < min ? i.date : min), '9999');
    const pl = await call('list-profit-and-loss', { fromDate: from, toDate: new Date().toISOString().slice(0, 10) });
    expect(texts(pl)[0]).toBe('Profit and Loss Report: Profit and Loss');
    const income = JSON.parse(texts(pl)[3]).find((r: any) => r.title === 'Income');
    // Sales authorised or paid: INV-0001..6 and INV-0008 (drafts excluded), net of VAT.
    expect(income.rows.at(-1).cells.map((c: any) => c.value)).toEqual(['Total Income', '11300.00']);
  });

  it('create-invoice and create-payment change the ledger, as later lists and the state file show', async () => {
    const ridgeway = mock.state.contacts.find((c) => c.name === 'Ridgeway University')!;
    const created = await call('create-invoice', {
      contactId: ridgeway.contactID,
      type: 'ACCREC',
      reference: 'Overdue reminder fee',
      lineItems: [{ description: 'Late payment fee', quantity: 1, unitAmount: 40, accountCode: '260', taxType: 'OUTPUT2' }],
    });
    const lines = texts(created)[0].split('\n');
    expect(lines[0]).toBe('Invoice created successfully:');
    expect(lines.slice(2, 4)).toEqual(['Contact: Ridgeway University', 'Type: ACCREC']);
    expect(lines.slice(5)).toEqual(['Total: 48', 'Status: DRAFT', expect.stringMatching(/^Link to view: {2}https:\/\/go\.xero\.com\/app\/!Acm3L\/invoicing\/view\/[0-9a-f-]{36}$/)]);
    const id = lines[1].replace('ID: ', '');
    const listed = await call('list-invoices', { page: 1, invoiceNumbers: ['INV-0010'] });
    expect(texts(listed)[0]).toBe('Found 1 invoices:');
    expect(texts(listed)[1]).toContain(`Invoice ID: ${id}\nInvoice: INV-0010\nReference: Overdue reminder fee`);
    expect(texts(listed)[1]).toContain('Line Items: Item ID: undefined\nItem Code: undefined\nDescription: Late payment fee');
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).invoices.find((i: any) => i.invoiceID === id)).toMatchObject({ invoiceNumber: 'INV-0010', status: 'DRAFT', total: 48 });

    const bank = mock.state.accounts.find((a) => a.code === '090')!;
    const inv4 = mock.state.invoices.find((i) => i.invoiceNumber === 'INV-0004')!;
    const tooMuch = await call('create-payment', { invoiceId: inv4.invoiceID, accountId: bank.accountID, amount: 961 });
    expect(texts(tooMuch)).toEqual(['Error creating payment: An unexpected error occurred while communicating with Xero.']);
    const paid = await call('create-payment', { invoiceId: inv4.invoiceID, accountId: bank.accountID, amount: 960, reference: 'BACS RU' });
    // Xero's payment answer has no top-level InvoiceNumber, so the official text says undefined.
    expect(texts(paid)[0]).toMatch(/^Invoice created successfully:\nID: [0-9a-f-]{36}\nReference: BACS RU\nInvoice Number: undefined\nAmount: 960\nStatus: AUTHORISED\nLink to view: https:\/\/go\.xero\.com\//);
    const after = texts(await call('list-invoices', { page: 1, invoiceNumbers: ['INV-0004'] }))[1];
    expect(after).toContain('Status: PAID');
    expect(after).toContain('Amount Paid: 960');
    expect(after).not.toContain('Amount Due:');
    expect(texts(await call('list-payments', { page: 1, invoiceNumber: 'INV-0004' }))[0]).toBe('Found 1 payments:');

    const draft = mock.state.invoices.find((i) => i.invoiceNumber === 'INV-0007')!;
    const updated = await call('update-invoice', { invoiceId: draft.invoiceID, reference: 'PO 4471' });
    expect(texts(updated)[0]).toMatch(/^Invoice updated successfully:\nID: .+\nContact: City Limousines\nType: ACCREC\nTotal: 1560\nStatus: DRAFT\n/);
    const notDraft = await call('update-invoice', { invoiceId: inv4.invoiceID, reference: 'x' });
    expect(texts(notDraft)).toEqual(['Error updating invoice: Cannot update invoice because it is not a draft. Current status: PAID']);
  });

  it('reports each injected failure in the official server\'s own words', async () => {
    const failing = async (fail: string, kind: string, tool = 'list-invoices') => {
      mock.setFailure(fail, kind);
      try {
        const r = await call(tool, tool === 'list-invoices' ? { page: 1 } : {});
        expect(r.isError).toBeUndefined();
        expect(r.content).toHaveLength(1);
        expect(detectPlainTextError(r, XERO_ERROR_PATTERNS)).toBe(texts(r)[0]);
        return texts(r)[0];
      } finally {
        mock.setFailure();
      }
    };
    expect(await failing('*', 'auth')).toBe('Error listing invoices: Failed to get Xero token with V1 scopes: {"error":"invalid_client"}');
    expect(await failing('*', 'offline')).toBe('Error listing invoices: Failed to get Xero token with V1 scopes: getaddrinfo ENOTFOUND identity.xero.com');
    expect(await failing('connections', 'unauthorized')).toMatch(/^Error listing invoices: Failed to get Xero token with V2 scopes: \{"Type":null,"Title":"Unauthorized","Status":401,"Detail":"AuthenticationUnsuccessful","Instance":"[0-9a-f-]{36}","Extensions":\{\}\}$/);
    // xero-node rejects API errors with a JSON string, which the official formatError cannot read: one text for all.
    for (const kind of ['rate-limit', 'unauthorized', 'forbidden', 'not-found', 'api']) {
      const before = mock.requests.length;
      expect(await failing('list-invoices', kind)).toBe('Error listing invoices: An unexpected error occurred while communicating with Xero.');
      const status = { 'rate-limit': 429, unauthorized: 401, forbidden: 403, 'not-found': 404, api: 400 }[kind];
      expect(mock.requests.slice(before).map((r) => r.status)).toContain(status);
    }
    expect(await failing('list-organisation-details', 'rate-limit', 'list-organisation-details')).toBe('Error fetching organisation details: An unexpected error occurred while communicating with Xero.');
    // Only the named tool fails.
    mock.setFailure('list-invoices', 'rate-limit');
    try {
      expect(texts(await call('list-contacts'))[0]).toBe('Found 8 contacts:');
    } finally {
      mock.setFailure();
    }
  });

  it('with credentials the mock does not know, the token request fails as Xero refuses it', async () => {
    const other = await officialClient({ ...mock.env, XERO_CLIENT_SECRET: 'a-secret-from-another-app' });
    try {
      const r = (await other.callTool({ name: 'list-contacts', arguments: {} })) as Result;
      expect(texts(r)).toEqual(['Error listing contacts: Failed to get Xero token with V1 scopes: {"error":"invalid_client"}']);
    } finally {
      await other.close();
    }
  }, 30_000);
});

describe('the preload', () => {
  let mock: Mock;
  beforeAll(async () => {
    mock = await api.startXeroApiMock();
  });
  afterAll(async () => {
    await mock?.close();
  });

  /** Runs an ES module snippet in a child with exactly the mock's env (the preload loaded through NODE_OPTIONS). */
  const run = (source: string, env: Record<string, string> = mock.env) =>
    new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', source], { env, cwd: ROOT, timeout: 20_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });

  it('sends Xero\'s hosts to the mock and refuses every other host, so nothing leaks to the internet', async () => {
    const before = mock.requests.length;
    const out = await run(`
      import https from 'node:https';
      import http from 'node:http';
      import { get as namedGet } from 'node:https';
      import axios from 'axios';
      const show = (label, p) => p.then((v) => console.log(label, 'ok', v), (e) => console.log(label, 'refused', e.code ?? e.cause?.code, e.message));
      const viaGet = (fn, url) => new Promise((resolve, reject) => fn(url, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject));
      await show('https', viaGet(https.get, 'https://example.com/'));
      await show('named', viaGet(namedGet, 'https://registry.npmjs.org/'));
      await show('http', viaGet(http.get, 'http://example.com/'));
      await show('fetch', fetch('https://example.com/').then((r) => r.status));
      await show('axios', axios.get('https://www.google.com/').then((r) => r.status));
      await show('xero', axios.get('https://api.xero.com/connections').then((r) => r.status, (e) => e.response.status));
    `);
    const lines = out.trim().split('\n');
    for (const label of ['https', 'named', 'http', 'axios']) {
      expect(lines.find((l) => l.startsWith(`${label} `)), out).toMatch(new RegExp(`^${label} refused ERR_XERO_MOCK_REFUSED xero-api mock preload: refused https?://[\\w.]+/: this process may only reach identity.xero.com and api.xero.com`));
    }
    expect(lines.find((l) => l.startsWith('fetch '))).toMatch(/^fetch refused ERR_XERO_MOCK_REFUSED fetch failed$/);
    expect(lines.find((l) => l.startsWith('xero '))).toBe('xero ok 401');
    // Only the Xero request reached the mock (over plain HTTP, with Xero's host name kept).
    expect(mock.requests.slice(before).map((r) => `${r.method} ${r.host}${r.path} ${r.status}`)).toEqual(['GET api.xero.com/connections 401']);
  });

  it('does nothing without XERO_API_MOCK_URL', async () => {
    const { XERO_API_MOCK_URL: _unused, ...env } = mock.env;
    const out = await run(`import https from 'node:https'; console.log(https.request.name, typeof https.get);`, { ...env, PATH: process.env.PATH ?? '' });
    expect(out.trim()).toBe('request function');
  });
});
