// The Accounting API (https://api.xero.com/api.xro/2.0/...): the resources a finance workflow uses, read
// and written as Xero does (paths, query parameters as xero-node sends them, envelopes, validation errors).
// Request bodies arrive in Xero's PascalCase, as xero-node's ObjectSerializer writes them.
import { applyPayment, applyTotals, buildLine, isoDay, newId, round2, type LineInput } from './ledger.js';
import type { Contact, Invoice, InvoiceStatus, LineItem, Payment, XeroState } from './model.js';
import { agedReceivablesByContact, profitAndLoss } from './reports.js';
import { balanceSheet, trialBalance } from './statements.js';
import { notFound, postDataInvalid, queryParseException, validationException, type HttpAnswer } from './errors.js';
import { applyOrder, applyWhere, paginate, QueryError } from './query.js';
import {
  accountWire,
  contactWire,
  creditNoteWire,
  envelope,
  invoiceWire,
  itemWire,
  organisationWire,
  paymentWire,
  quoteWire,
  reportWire,
  requestDay,
  taxRateWire,
  type Pagination,
} from './wire.js';

type Json = Record<string, any>;

export interface ApiRequest {
  method: string;
  /** The path below /api.xro/2.0, e.g. "/Invoices/0f3c..." */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, if any. */
  body: unknown;
}

export interface AccountingContext {
  state: XeroState;
  /** Persists the state after a write. */
  save(): void;
  /** The app's name, which Xero puts in every envelope. */
  providerName: string;
}

const nowIso = () => new Date().toISOString();
const todayIso = () => nowIso().slice(0, 10);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sameId = (a: string | undefined, b: unknown) => typeof b === 'string' && !!a && a.toLowerCase() === b.toLowerCase();
const list = (value: string | null) => (value ? value.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
const flag = (value: string | null) => value?.toLowerCase() === 'true';

/** Records changed since If-Modified-Since (an HTTP date or ISO timestamp), when the header is sent. */
function modifiedSince<T extends { updatedDateUTC: string }>(rows: T[], req: ApiRequest): T[] {
  const header = req.headers['if-modified-since'];
  const since = typeof header === 'string' ? Date.parse(header) : NaN;
  return Number.isNaN(since) ? rows : rows.filter((r) => Date.parse(r.updatedDateUTC) > since);
}

/**
 * where, order, then paging when `page` is given (Xero pages only then, and only then sends `pagination`).
 * `paged` false for endpoints that take `page` without a pageSize or pagination block (Quotes).
 */
function listAnswer(ctx: AccountingContext, req: ApiRequest, key: string, typeName: string, rows: Json[], options: { pageSize?: number; paged?: boolean } = {}): HttpAnswer {
  let out = applyWhere(rows, req.query.get('where'), typeName);
  out = applyOrder(out, req.query.get('order'), typeName);
  const page = req.query.get('page');
  let pagination: Pagination | undefined;
  if (page !== null && Number(page) >= 1) {
    const size = options.pageSize ?? (req.query.get('pageSize') ? Number(req.query.get('pageSize')) : undefined);
    const result = paginate(out, Number(page), size);
    out = result.rows;
    if (options.paged !== false) pagination = result.pagination;
  }
  return { status: 200, body: envelope(ctx.providerName, key, out, pagination) };
}

const ok = (ctx: AccountingContext, key: string, items: unknown[]): HttpAnswer => ({ status: 200, body: envelope(ctx.providerName, key, items) });

/** The records of a PUT/POST body: {"Invoices": [...]} or one bare record. */
function elementsOf(body: unknown, key: string): Json[] | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Json;
  if (Array.isArray(b[key])) return b[key] as Json[];
  return [b];
}

// ---------------------------------------------------------------------------------------------- invoices

function findInvoice(state: XeroState, idOrNumber: string): Invoice | undefined {
  return state.invoices.find((i) => sameId(i.invoiceID, idOrNumber)) ?? state.invoices.find((i) => i.invoiceNumber === idOrNumber);
}

/** Line items from a request, as Xero stores them, or the messages Xero would answer. */
function linesFrom(state: XeroState, inputs: unknown, errors: string[]): LineItem[] {
  if (inputs === undefined) return [];
  if (!Array.isArray(inputs)) {
    errors.push('LineItems must be an array');
    return [];
  }
  const lines: LineItem[] = [];
  for (const raw of inputs as Json[]) {
    const item = raw.ItemCode ? state.items.find((i) => i.code === raw.ItemCode) : undefined;
    const accountCode = raw.AccountCode ?? item?.salesDetails?.accountCode;
    const account = state.accounts.find((a) => a.code === accountCode);
    const input: LineInput = {
      description: raw.Description ?? item?.description ?? '',
      quantity: raw.Quantity ?? 1,
      unitAmount: raw.UnitAmount ?? item?.salesDetails?.unitPrice ?? 0,
      accountCode: accountCode ?? '',
      taxType: raw.TaxType ?? account?.taxType ?? 'NONE',
      ...(raw.ItemCode ? { itemCode: raw.ItemCode } : {}),
      tracking: Array.isArray(raw.Tracking) ? raw.Tracking.map((t: Json) => ({ name: t.Name, option: t.Option, trackingCategoryID: t.TrackingCategoryID ?? '' })) : [],
    };
    if (!input.accountCode) {
      errors.push('An Account Code must be specified for each line item');
      continue;
    }
    const line = buildLine(state, input, raw.LineItemID && GUID.test(raw.LineItemID) ? raw.LineItemID : newId());
    if (typeof line === 'string') errors.push(line);
    else lines.push(line);
  }
  return lines;
}

/** The contact a document names by ContactID, ContactNumber or Name; a new name makes a new contact, as in Xero. */
function contactFor(ctx: AccountingContext, raw: Json | undefined, errors: string[]): Contact | undefined {
  const { state } = ctx;
  if (!raw || (!raw.ContactID && !raw.Name && !raw.ContactNumber)) {
    errors.push('The Contact must contain at least 1 of the following elements to identify the contact: Name, ContactID, ContactNumber');
    return undefined;
  }
  if (raw.ContactID) {
    const byId = state.contacts.find((c) => sameId(c.contactID, raw.ContactID));
    if (!byId) errors.push(`The contact with ContactID '${raw.ContactID}' could not be found`);
    return byId;
  }
  const found = state.contacts.find((c) => (raw.ContactNumber && c.contactNumber === raw.ContactNumber) || (raw.Name && c.name.toLowerCase() === String(raw.Name).toLowerCase()));
  if (found || !raw.Name) {
    if (!found) errors.push(`The contact with ContactNumber '${raw.ContactNumber}' could not be found`);
    return found;
  }
  const created = newContact(String(raw.Name), raw);
  state.contacts.push(created);
  return created;
}

/** Due date from the organisation's default terms, when a document gives none. */
function defaultDueDate(state: XeroState, type: Invoice['type'], date: string): string {
  const terms = type === 'ACCREC' ? state.organisation.paymentTerms.sales : state.organisation.paymentTerms.bills;
  if (terms.type === 'DAYSAFTERBILLDATE') return isoDay(new Date(`${date}T00:00:00Z`), terms.day);
  if (terms.type === 'OFFOLLOWINGMONTH') {
    const [y, m] = date.split('-').map(Number);
    return new Date(Date.UTC(y, m, terms.day)).toISOString().slice(0, 10);
  }
  return date;
}

const CREATE_STATUSES: InvoiceStatus[] = ['DRAFT', 'SUBMITTED', 'AUTHORISED'];

function createInvoice(ctx: AccountingContext, raw: Json): { invoice?: Invoice; errors: string[] } {
  const { state } = ctx;
  const errors: string[] = [];
  const type = raw.Type;
  if (type !== 'ACCREC' && type !== 'ACCPAY') errors.push(type ? `Invoice Type '${type}' is not valid` : 'Invoice Type must be specified');
  const status: InvoiceStatus = raw.Status ?? 'DRAFT';
  if (!CREATE_STATUSES.includes(status)) errors.push(`Invoice Status '${status}' is not valid for a new invoice`);
  if (raw.LineAmountTypes && raw.LineAmountTypes !== 'Exclusive') errors.push(`The mock computes tax-exclusive amounts only; LineAmountTypes '${raw.LineAmountTypes}' is not supported`);
  const date = raw.Date === undefined ? todayIso() : requestDay(raw.Date);
  if (!date) errors.push(`'${raw.Date}' is not a valid date`);
  const due = raw.DueDate === undefined ? undefined : requestDay(raw.DueDate);
  if (raw.DueDate !== undefined && !due) errors.push(`'${raw.DueDate}' is not a valid date`);
  const lines = linesFrom(state, raw.LineItems, errors);
  if (status === 'AUTHORISED' && lines.length === 0 && errors.length === 0) errors.push('An invoice must have at least one line item to be approved');
  let invoiceNumber: string | undefined = raw.InvoiceNumber || undefined;
  if (type === 'ACCREC') {
    if (invoiceNumber && state.invoices.some((i) => i.type === 'ACCREC' && i.invoiceNumber === invoiceNumber)) errors.push('Invoice # must be unique.');
    invoiceNumber ??= nextInvoiceNumber(state);
  }
  const contact = errors.length ? undefined : contactFor(ctx, raw.Contact, errors);
  if (errors.length || !contact || !date) return { errors };
  const invoice: Invoice = applyTotals({
    invoiceID: newId(),
    ...(invoiceNumber ? { invoiceNumber } : {}),
    ...(raw.Reference ? { reference: String(raw.Reference) } : {}),
    type,
    status,
    contact: { contactID: contact.contactID, name: contact.name },
    date,
    dueDate: due ?? defaultDueDate(state, type, date),
    lineAmountTypes: 'Exclusive',
    lineItems: lines,
    subTotal: 0,
    totalTax: 0,
    total: 0,
    currencyCode: state.organisation.baseCurrency,
    currencyRate: 1,
    updatedDateUTC: nowIso(),
    amountDue: 0,
    amountPaid: 0,
    amountCredited: 0,
    hasErrors: false,
    isDiscounted: false,
  });
  state.invoices.push(invoice);
  return { invoice, errors };
}

function nextInvoiceNumber(state: XeroState): string {
  const n = 1 + Math.max(0, ...state.invoices.map((i) => Number(/^INV-(\d+)$/.exec(i.invoiceNumber ?? '')?.[1] ?? 0)));
  return `INV-${String(n).padStart(4, '0')}`;
}

/** Status changes Xero allows through an update. */
const NEXT_STATUS: Record<InvoiceStatus, InvoiceStatus[]> = {
  DRAFT: ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'DELETED'],
  SUBMITTED: ['SUBMITTED', 'DRAFT', 'AUTHORISED', 'DELETED'],
  AUTHORISED: ['AUTHORISED', 'VOIDED'],
  PAID: ['PAID'],
  VOIDED: ['VOIDED'],
  DELETED: ['DELETED'],
};

function updateInvoice(ctx: AccountingContext, invoice: Invoice, raw: Json): string[] {
  const { state } = ctx;
  const errors: string[] = [];
  if (['PAID', 'VOIDED', 'DELETED'].includes(invoice.status)) return ['Invoice not of valid status for modification'];
  const status: InvoiceStatus = raw.Status ?? invoice.status;
  if (!NEXT_STATUS[invoice.status].includes(status)) errors.push(`Invoice not of valid status for modification`);
  if (status === 'VOIDED' && invoice.amountPaid > 0) errors.push('Invoice not of valid status for modification');
  const lines = raw.LineItems !== undefined ? linesFrom(state, raw.LineItems, errors) : undefined;
  const date = raw.Date !== undefined ? requestDay(raw.Date) : undefined;
  if (raw.Date !== undefined && !date) errors.push(`'${raw.Date}' is not a valid date`);
  const due = raw.DueDate !== undefined ? requestDay(raw.DueDate) : undefined;
  if (raw.DueDate !== undefined && !due) errors.push(`'${raw.DueDate}' is not a valid date`);
  const contact = raw.Contact !== undefined && !errors.length ? contactFor(ctx, raw.Contact, errors) : undefined;
  if (errors.length) return errors;
  // Xero replaces the lines with those sent: lines left out are deleted.
  if (lines) invoice.lineItems = lines;
  if (raw.Reference !== undefined) invoice.reference = String(raw.Reference);
  if (date) invoice.date = date;
  if (due) invoice.dueDate = due;
  if (contact) invoice.contact = { contactID: contact.contactID, name: contact.name };
  invoice.status = status;
  invoice.updatedDateUTC = nowIso();
  applyTotals(invoice);
  return [];
}

/** PUT /Invoices (create) and POST /Invoices (create or update by InvoiceID): summarizeErrors as Xero. */
function writeInvoices(ctx: AccountingContext, req: ApiRequest, allowUpdate: boolean): HttpAnswer {
  const elements = elementsOf(req.body, 'Invoices');
  if (!elements) return postDataInvalid('Invalid Json data');
  const summarize = req.query.get('summarizeErrors') !== 'false';
  const snapshot = JSON.stringify(ctx.state);
  const results = elements.map((raw) => {
    const existing = allowUpdate && raw.InvoiceID ? findInvoice(ctx.state, raw.InvoiceID) : undefined;
    if (allowUpdate && raw.InvoiceID && !existing) return { raw, errors: ['Invoice could not be found'] };
    if (existing) return { raw, invoice: existing, errors: updateInvoice(ctx, existing, raw) };
    const created = createInvoice(ctx, raw);
    return { raw, invoice: created.invoice, errors: created.errors };
  });
  if (summarize && results.some((r) => r.errors.length)) {
    restore(ctx.state, snapshot); // all or nothing, as Xero with summarizeErrors
    return validationException(results.filter((r) => r.errors.length).map((r) => ({ ...r.raw, ValidationErrors: r.errors.map((Message) => ({ Message })) })));
  }
  ctx.save();
  return ok(
    ctx,
    'Invoices',
    results.map((r) =>
      r.errors.length || !r.invoice
        ? { ...r.raw, HasErrors: true, StatusAttributeString: 'ERROR', ValidationErrors: r.errors.map((Message) => ({ Message })) }
        : invoiceWire(ctx.state, r.invoice, true),
    ),
  );
}

/** Puts the state back as it was (a refused batch leaves no trace). */
function restore(state: XeroState, snapshot: string): void {
  Object.assign(state, JSON.parse(snapshot) as XeroState);
}

function invoices(ctx: AccountingContext, req: ApiRequest, id: string | undefined): HttpAnswer {
  const { state } = ctx;
  if (req.method === 'GET' && id) {
    const invoice = findInvoice(state, id);
    return invoice ? ok(ctx, 'Invoices', [invoiceWire(state, invoice, true)]) : notFound();
  }
  if (req.method === 'GET') {
    const q = req.query;
    const ids = list(q.get('IDs'))?.map((s) => s.toLowerCase());
    const numbers = list(q.get('InvoiceNumbers'));
    const contactIds = list(q.get('ContactIDs'))?.map((s) => s.toLowerCase());
    const statuses = list(q.get('Statuses'));
    const term = q.get('searchTerm')?.toLowerCase();
    const rows = modifiedSince(state.invoices, req).filter(
      (i) =>
        (!ids || ids.includes(i.invoiceID.toLowerCase())) &&
        (!numbers || (i.invoiceNumber !== undefined && numbers.includes(i.invoiceNumber))) &&
        (!contactIds || contactIds.includes(i.contact.contactID.toLowerCase())) &&
        (!statuses || statuses.includes(i.status)) &&
        (!term || [i.invoiceNumber, i.reference].some((f) => f?.toLowerCase().includes(term))),
    );
    // Xero gives line items with paging ("Up to 100 invoices ... with line items"), not in summaries.
    const withLines = q.get('page') !== null && !flag(q.get('summaryOnly'));
    return listAnswer(ctx, req, 'Invoices', 'Invoice', rows.map((i) => invoiceWire(state, i, withLines)));
  }
  if (req.method === 'PUT' && !id) return writeInvoices(ctx, req, false);
  if (req.method === 'POST' && !id) return writeInvoices(ctx, req, true);
  if (req.method === 'POST' && id) {
    const invoice = findInvoice(state, id);
    if (!invoice) return notFound();
    const raw = elementsOf(req.body, 'Invoices')?.[0];
    if (!raw) return postDataInvalid('Invalid Json data');
    const errors = updateInvoice(ctx, invoice, raw);
    if (errors.length) return validationException([{ ...invoiceWire(state, invoice, true), ValidationErrors: errors.map((Message) => ({ Message })) }]);
    ctx.save();
    return ok(ctx, 'Invoices', [invoiceWire(state, invoice, true)]);
  }
  return notFound();
}

// ---------------------------------------------------------------------------------------------- contacts

function newContact(name: string, raw: Json): Contact {
  return {
    contactID: newId(),
    name,
    ...(raw.FirstName ? { firstName: raw.FirstName } : {}),
    ...(raw.LastName ? { lastName: raw.LastName } : {}),
    ...(raw.EmailAddress ? { emailAddress: raw.EmailAddress } : {}),
    ...(raw.ContactNumber ? { contactNumber: raw.ContactNumber } : {}),
    ...(Array.isArray(raw.Phones) && raw.Phones.length ? { phones: raw.Phones.map((p: Json) => ({ phoneType: p.PhoneType ?? 'DEFAULT', phoneNumber: p.PhoneNumber ?? '' })) } : {}),
    isCustomer: false,
    isSupplier: false,
    updatedDateUTC: nowIso(),
    contactStatus: 'ACTIVE',
    hasAttachments: false,
    hasValidationErrors: false,
  };
}

const duplicateName = (name: string) => `The contact name ${name} is already assigned to another contact. The contact name must be unique across all active contacts.`;

function writeContact(ctx: AccountingContext, raw: Json, existing: Contact | undefined): { contact?: Contact; errors: string[] } {
  const { state } = ctx;
  const name = raw.Name ?? existing?.name;
  if (!name) return { errors: ['The Contact must contain at least 1 of the following elements to identify the contact: Name, ContactID, ContactNumber'] };
  const clash = state.contacts.find((c) => c !== existing && c.contactStatus === 'ACTIVE' && c.name.toLowerCase() === String(name).toLowerCase());
  if (clash) return { errors: [duplicateName(name)] };
  if (!existing) {
    const contact = newContact(String(name), raw);
    state.contacts.push(contact);
    return { contact, errors: [] };
  }
  existing.name = String(name);
  if (raw.FirstName !== undefined) existing.firstName = raw.FirstName;
  if (raw.LastName !== undefined) existing.lastName = raw.LastName;
  if (raw.EmailAddress !== undefined) existing.emailAddress = raw.EmailAddress;
  if (Array.isArray(raw.Phones)) existing.phones = raw.Phones.map((p: Json) => ({ phoneType: p.PhoneType ?? 'DEFAULT', phoneNumber: p.PhoneNumber ?? '' }));
  if (raw.ContactStatus === 'ACTIVE' || raw.ContactStatus === 'ARCHIVED') existing.contactStatus = raw.ContactStatus;
  existing.updatedDateUTC = nowIso();
  return { contact: existing, errors: [] };
}

function contacts(ctx: AccountingContext, req: ApiRequest, id: string | undefined): HttpAnswer {
  const { state } = ctx;
  const find = (key: string) => state.contacts.find((c) => sameId(c.contactID, key)) ?? state.contacts.find((c) => c.contactNumber === key);
  if (req.method === 'GET' && id) {
    const contact = find(id);
    return contact ? ok(ctx, 'Contacts', [contactWire(state, contact, false)]) : notFound();
  }
  if (req.method === 'GET') {
    const q = req.query;
    const ids = list(q.get('IDs'))?.map((s) => s.toLowerCase());
    const term = q.get('searchTerm')?.toLowerCase();
    const summaryOnly = flag(q.get('summaryOnly'));
    const rows = modifiedSince(state.contacts, req)
      .filter(
        (c) =>
          (flag(q.get('includeArchived')) || c.contactStatus === 'ACTIVE') &&
          (!ids || ids.includes(c.contactID.toLowerCase())) &&
          (!term || [c.name, c.firstName, c.lastName, c.contactNumber, c.emailAddress].some((f) => f?.toLowerCase().includes(term))),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    return listAnswer(ctx, req, 'Contacts', 'Contact', rows.map((c) => contactWire(state, c, summaryOnly)));
  }
  if ((req.method === 'PUT' || req.method === 'POST') && !id) {
    const elements = elementsOf(req.body, 'Contacts');
    if (!elements) return postDataInvalid('Invalid Json data');
    const summarize = req.query.get('summarizeErrors') !== 'false';
    const snapshot = JSON.stringify(state);
    const results = elements.map((raw) => {
      const existing = req.method === 'POST' && raw.ContactID ? find(raw.ContactID) : undefined;
      return { raw, ...writeContact(ctx, raw, existing) };
    });
    if (summarize && results.some((r) => r.errors.length)) {
      restore(state, snapshot);
      return validationException(results.filter((r) => r.errors.length).map((r) => ({ ...r.raw, ValidationErrors: r.errors.map((Message) => ({ Message })) })));
    }
    ctx.save();
    return ok(ctx, 'Contacts', results.map((r) => (r.contact && !r.errors.length ? contactWire(state, r.contact, false) : { ...r.raw, HasValidationErrors: true, ValidationErrors: r.errors.map((Message) => ({ Message })) })));
  }
  if (req.method === 'POST' && id) {
    const contact = find(id);
    if (!contact) return notFound();
    const raw = elementsOf(req.body, 'Contacts')?.[0];
    if (!raw) return postDataInvalid('Invalid Json data');
    const { errors } = writeContact(ctx, raw, contact);
    if (errors.length) return validationException([{ ...raw, ValidationErrors: errors.map((Message) => ({ Message })) }]);
    ctx.save();
    return ok(ctx, 'Contacts', [contactWire(state, contact, false)]);
  }
  return notFound();
}

// ---------------------------------------------------------------------------------------------- payments

function createPayment(ctx: AccountingContext, raw: Json): { payment?: Payment; errors: string[] } {
  const { state } = ctx;
  const ref = (raw.Invoice ?? {}) as Json;
  const invoice = ref.InvoiceID ? findInvoice(state, ref.InvoiceID) : ref.InvoiceNumber || raw.InvoiceNumber ? state.invoices.find((i) => i.invoiceNumber === (ref.InvoiceNumber ?? raw.InvoiceNumber)) : undefined;
  const acct = (raw.Account ?? {}) as Json;
  const account = state.accounts.find((a) => (acct.AccountID && sameId(a.accountID, acct.AccountID)) || (acct.Code && a.code === acct.Code));
  const amount = Number(raw.Amount);
  const date = requestDay(raw.Date);
  const errors: string[] = [];
  if (!invoice) errors.push('Invoice could not be found');
  if (!account) errors.push('Account could not be found');
  else if (!account.enablePaymentsToAccount) errors.push('Account type is invalid for making a payment to/from');
  if (!date) errors.push('A valid Date must be specified for the payment');
  if (!(amount > 0)) errors.push('Payment amount must be greater than zero');
  if (invoice && invoice.status !== 'AUTHORISED') errors.push('Invoice not of valid status for modification');
  else if (invoice && round2(amount) > invoice.amountDue) errors.push('Payment amount exceeds the amount outstanding on this document');
  if (errors.length || !invoice || !account || !date) return { errors };
  const payment: Payment = {
    paymentID: newId(),
    date,
    amount: round2(amount),
    ...(raw.Reference !== undefined && raw.Reference !== null ? { reference: String(raw.Reference) } : {}),
    status: 'AUTHORISED',
    paymentType: invoice.type === 'ACCREC' ? 'ACCRECPAYMENT' : 'ACCPAYPAYMENT',
    updatedDateUTC: nowIso(),
    isReconciled: false,
    currencyRate: 1,
    invoiceNumber: invoice.invoiceNumber,
    account: { accountID: account.accountID, code: account.code },
    invoice: { invoiceID: invoice.invoiceID, invoiceNumber: invoice.invoiceNumber, type: invoice.type, contact: invoice.contact, currencyCode: invoice.currencyCode },
  };
  state.payments.push(payment);
  applyPayment(invoice, payment);
  return { payment, errors };
}

function payments(ctx: AccountingContext, req: ApiRequest, id: string | undefined): HttpAnswer {
  const { state } = ctx;
  if (req.method === 'GET' && id) {
    const payment = state.payments.find((p) => sameId(p.paymentID, id));
    return payment ? ok(ctx, 'Payments', [paymentWire(state, payment, true)]) : notFound();
  }
  if (req.method === 'GET') return listAnswer(ctx, req, 'Payments', 'Payment', modifiedSince(state.payments, req).map((p) => paymentWire(state, p, false)));
  if ((req.method === 'PUT' || req.method === 'POST') && !id) {
    // POST takes one payment (xero-node's createPayment), PUT a {"Payments": [...]} batch (createPayments).
    const elements = elementsOf(req.body, 'Payments');
    if (!elements) return postDataInvalid('Invalid Json data');
    const summarize = req.method === 'POST' || req.query.get('summarizeErrors') !== 'false';
    const snapshot = JSON.stringify(state);
    const results = elements.map((raw) => ({ raw, ...createPayment(ctx, raw) }));
    if (summarize && results.some((r) => r.errors.length)) {
      restore(state, snapshot);
      return validationException(results.filter((r) => r.errors.length).map((r) => ({ ...r.raw, ValidationErrors: r.errors.map((Message) => ({ Message })) })));
    }
    ctx.save();
    return ok(ctx, 'Payments', results.map((r) => (r.payment ? paymentWire(state, r.payment, true) : { ...r.raw, HasValidationErrors: true, ValidationErrors: r.errors.map((Message) => ({ Message })) })));
  }
  return notFound();
}

// ---------------------------------------------------------------------------------------------- settings and other lists

function simpleList(ctx: AccountingContext, req: ApiRequest, id: string | undefined, key: string, typeName: string, rows: Json[], idField: string, alt?: string): HttpAnswer {
  if (req.method !== 'GET') return notFound();
  if (id) {
    const one = rows.find((r) => sameId(r[idField], id) || (alt !== undefined && r[alt] === id));
    return one ? ok(ctx, key, [one]) : notFound();
  }
  return listAnswer(ctx, req, key, typeName, rows);
}

function quotes(ctx: AccountingContext, req: ApiRequest, id: string | undefined): HttpAnswer {
  const q = req.query;
  const day = (name: string) => requestDay(q.get(name) ?? undefined);
  const rows = modifiedSince(ctx.state.quotes, req).filter(
    (quote) =>
      (!q.get('ContactID') || sameId(quote.contact.contactID, q.get('ContactID'))) &&
      (!q.get('Status') || quote.status === q.get('Status')) &&
      (!q.get('QuoteNumber') || quote.quoteNumber === q.get('QuoteNumber')) &&
      (!day('DateFrom') || quote.dateString.slice(0, 10) >= day('DateFrom')!) &&
      (!day('DateTo') || quote.dateString.slice(0, 10) <= day('DateTo')!) &&
      (!day('ExpiryDateFrom') || quote.expiryDateString.slice(0, 10) >= day('ExpiryDateFrom')!) &&
      (!day('ExpiryDateTo') || quote.expiryDateString.slice(0, 10) <= day('ExpiryDateTo')!),
  );
  if (req.method !== 'GET') return notFound();
  if (id) return simpleList(ctx, req, id, 'Quotes', 'Quote', ctx.state.quotes.map(quoteWire), 'QuoteID', 'QuoteNumber');
  // Quotes page by 100 and carry no pagination block (xero-node's Quotes model has none).
  return listAnswer(ctx, req, 'Quotes', 'Quote', rows.map(quoteWire), { pageSize: 100, paged: false });
}

function reports(ctx: AccountingContext, req: ApiRequest, name: string | undefined): HttpAnswer {
  if (req.method !== 'GET' || !name) return notFound();
  const q = req.query;
  const day = (key: string) => requestDay(q.get(key) ?? undefined);
  const { state } = ctx;
  let report;
  switch (name.toLowerCase()) {
    case 'agedreceivablesbycontact': {
      const contactId = q.get('contactId') ?? q.get('contactID');
      const contact = contactId ? state.contacts.find((c) => sameId(c.contactID, contactId)) : undefined;
      if (!contact) return notFound();
      report = agedReceivablesByContact(state, contact.contactID, day('date'), day('fromDate'), day('toDate'));
      break;
    }
    case 'profitandloss':
      report = profitAndLoss(state, day('fromDate'), day('toDate'));
      break;
    case 'balancesheet':
      report = balanceSheet(state, day('date'));
      break;
    case 'trialbalance':
      report = trialBalance(state, day('date'));
      break;
    default:
      return notFound();
  }
  return report ? ok(ctx, 'Reports', [reportWire(report)]) : notFound();
}

/** Answers one Accounting API request (path below /api.xro/2.0). */
export function handleAccounting(req: ApiRequest, ctx: AccountingContext): HttpAnswer {
  const [resource = '', id, ...rest] = req.path.split('/').filter(Boolean).map(decodeURIComponent);
  if (rest.length) return notFound();
  const { state } = ctx;
  try {
    switch (resource.toLowerCase()) {
      case 'invoices':
        return invoices(ctx, req, id);
      case 'contacts':
        return contacts(ctx, req, id);
      case 'payments':
        return payments(ctx, req, id);
      case 'organisation':
        return req.method === 'GET' && !id ? ok(ctx, 'Organisations', [organisationWire(state.organisation)]) : notFound();
      case 'accounts':
        return simpleList(ctx, req, id, 'Accounts', 'Account', state.accounts.map((a) => accountWire(state, a)), 'AccountID');
      case 'taxrates':
        return simpleList(ctx, req, id, 'TaxRates', 'TaxRate', state.taxRates.filter((t) => !req.query.get('TaxType') || t.taxType === req.query.get('TaxType')).map(taxRateWire), 'TaxType');
      case 'items':
        return simpleList(ctx, req, id, 'Items', 'Item', modifiedSince(state.items, req).map(itemWire), 'ItemID', 'Code');
      case 'creditnotes':
        return simpleList(ctx, req, id, 'CreditNotes', 'CreditNote', modifiedSince(state.creditNotes, req).map(creditNoteWire), 'CreditNoteID', 'CreditNoteNumber');
      case 'quotes':
        return quotes(ctx, req, id);
      case 'reports':
        return reports(ctx, req, id);
      default:
        return notFound();
    }
  } catch (err) {
    if (err instanceof QueryError) return queryParseException(err.message);
    throw err;
  }
}
