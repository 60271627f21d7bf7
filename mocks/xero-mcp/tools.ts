// The tools the mock serves: what each does to the state, answered in the official server's text (format.ts)
// plus structuredContent with the same records as JSON (an addition: the official server sends text only).
// Failures are the official server's: one text block "<prefix>: <detail>", no isError.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { XERO_FAILURE_DETAILS } from './failures.js';
import {
  deepLinks,
  formatAccount,
  formatContact,
  formatCreditNote,
  formatInvoice,
  formatItem,
  formatOrganisation,
  formatPayment,
  formatQuote,
  formatTaxRate,
  xd,
} from './format.js';
import { applyPayment, applyTotals, buildLine, isoDay, newId, round2, todayIso, type LineInput } from '../xero-api/ledger.js';
import type { Contact, Invoice, LineItem, Payment, XeroState } from '../xero-api/model.js';
import { agedReceivablesByContact, profitAndLoss } from '../xero-api/reports.js';

/** A failure the official server would report; the detail goes after the tool's prefix. */
export class XeroFailure extends Error {}

/** What Xero's API errors (400 validation, 404) come out as through xero-node and formatError. */
const apiFailure = () => new XeroFailure(XERO_FAILURE_DETAILS.api);

export interface ToolContext {
  state: XeroState;
  /** Persists the state after a write. */
  save(): void;
}

export interface MockTool {
  /** The official handler's failure prefix, e.g. "Error listing invoices". */
  errorPrefix: string;
  run(args: any, ctx: ToolContext): CallToolResult;
}

const text = (t: string) => ({ type: 'text' as const, text: t });
const found = (n: number, what: string, suffix = '') => text(`Found ${n || 0} ${what}${suffix}:`);
const newestFirst = <T extends { updatedDateUTC: string }>(rows: T[]) => [...rows].sort((a, b) => b.updatedDateUTC.localeCompare(a.updatedDateUTC));
const pageOf = <T>(rows: T[], page: number, size: number) => rows.slice((Math.max(1, page) - 1) * size, Math.max(1, page) * size);
const nowUtc = () => new Date().toISOString();

function contactOrFail(state: XeroState, id: string): Contact {
  const contact = state.contacts.find((c) => c.contactID === id);
  if (!contact) throw apiFailure();
  return contact;
}

function linesOrFail(state: XeroState, inputs: LineInput[]): LineItem[] {
  return inputs.map((input) => {
    const line = buildLine(state, input);
    if (typeof line === 'string') throw apiFailure(); // Xero: 400 ValidationException
    return line;
  });
}

const invoiceLink = (state: XeroState, invoice: Invoice) =>
  (invoice.type === 'ACCREC' ? deepLinks.invoice : deepLinks.bill)(state.organisation.shortCode, invoice.invoiceID);

export const TOOLS: Record<string, MockTool> = {
  'list-invoices': {
    errorPrefix: 'Error listing invoices',
    run({ page, contactIds, invoiceNumbers }: { page: number; contactIds?: string[]; invoiceNumbers?: string[] }, { state }) {
      const matches = state.invoices.filter(
        (i) =>
          (!contactIds?.length || contactIds.includes(i.contact.contactID)) &&
          (!invoiceNumbers?.length || (i.invoiceNumber !== undefined && invoiceNumbers.includes(i.invoiceNumber))),
      );
      const invoices = pageOf(newestFirst(matches), page, 10);
      const returnLineItems = (invoiceNumbers?.length ?? 0) > 0;
      return {
        content: [found(invoices.length, 'invoices'), ...invoices.map((i) => text(formatInvoice(i, returnLineItems)))],
        structuredContent: { page, pageSize: 10, invoices },
      };
    },
  },

  'list-contacts': {
    errorPrefix: 'Error listing contacts',
    run({ page, searchTerm }: { page?: number; searchTerm?: string }, { state }) {
      const term = searchTerm?.toLowerCase();
      const matches = state.contacts
        .filter((c) => !term || [c.name, c.firstName, c.lastName, c.contactNumber, c.emailAddress].some((f) => f?.toLowerCase().includes(term)))
        .sort((a, b) => a.name.localeCompare(b.name));
      // Without a page Xero returns every contact; with one, pages of 100.
      const contacts = page ? pageOf(matches, page, 100) : matches;
      return {
        content: [found(contacts.length, 'contacts', page ? ` (page ${page})` : ''), ...contacts.map((c) => text(formatContact(c)))],
        structuredContent: { contacts },
      };
    },
  },

  'list-payments': {
    errorPrefix: 'Error listing payments',
    run(
      { page, invoiceNumber, invoiceId, paymentId, reference }: { page: number; invoiceNumber?: string; invoiceId?: string; paymentId?: string; reference?: string },
      { state },
    ) {
      const matches = state.payments.filter(
        (p) =>
          (!invoiceId || p.invoice.invoiceID === invoiceId) &&
          (!invoiceNumber || p.invoice.invoiceNumber === invoiceNumber) &&
          (!paymentId || p.paymentID === paymentId) &&
          (!reference || p.reference === reference),
      );
      const payments = pageOf(newestFirst(matches), page, 10);
      return {
        content: [found(payments.length, 'payments'), ...payments.map((p) => text(formatPayment(p)))],
        structuredContent: { page, payments },
      };
    },
  },

  'list-aged-receivables-by-contact': {
    errorPrefix: 'Error listing aged receivables by contact',
    run({ contactId, reportDate, invoicesFromDate, invoicesToDate }: { contactId: string; reportDate?: string; invoicesFromDate?: string; invoicesToDate?: string }, { state }) {
      const report = agedReceivablesByContact(state, contactId, reportDate, invoicesFromDate, invoicesToDate);
      if (!report) throw apiFailure();
      // helpers/format-aged-report-filter.js
      const filter =
        invoicesFromDate || invoicesToDate
          ? `Showing invoices ${invoicesFromDate ? `from ${invoicesFromDate}` : ''} ${invoicesToDate ? `to ${invoicesToDate}` : ''}`
          : undefined;
      return {
        content: [
          text(`Report Name: ${report.reportName || 'Not specified'}`),
          text(`Report Date: ${report.reportDate || 'Not specified'}`),
          text(filter ?? 'Showing all relevant invoices'),
          text(JSON.stringify(report.rows, null, 2)),
        ],
        structuredContent: { report },
      };
    },
  },

  'list-profit-and-loss': {
    errorPrefix: 'Error listing profit and loss report',
    run({ fromDate, toDate }: { fromDate?: string; toDate?: string }, { state }) {
      const report = profitAndLoss(state, fromDate, toDate);
      return {
        content: [
          text(`Profit and Loss Report: ${report.reportName ?? 'Unnamed'}`),
          text(`Date Range: ${report.reportDate ?? 'Not specified'}`),
          text(`Updated At: ${report.updatedDateUTC ? new Date(report.updatedDateUTC).toISOString() : 'Unknown'}`),
          text(JSON.stringify(report.rows, null, 2)),
        ],
        structuredContent: { report },
      };
    },
  },

  'list-organisation-details': {
    errorPrefix: 'Error fetching organisation details',
    run(_args, { state }) {
      return {
        content: [text('Organisation Details:'), text(formatOrganisation(state.organisation))],
        structuredContent: { organisation: state.organisation },
      };
    },
  },

  'list-accounts': {
    errorPrefix: 'Error listing accounts',
    run(_args, { state }) {
      const accounts = state.accounts;
      return { content: [found(accounts.length, 'accounts'), ...accounts.map((a) => text(formatAccount(a)))], structuredContent: { accounts } };
    },
  },

  'list-tax-rates': {
    errorPrefix: 'Error listing tax rates',
    run(_args, { state }) {
      return { content: [found(state.taxRates.length, 'tax rates'), ...state.taxRates.map((t) => text(formatTaxRate(t)))], structuredContent: { taxRates: state.taxRates } };
    },
  },

  'list-credit-notes': {
    errorPrefix: 'Error listing credit notes',
    run({ page, contactId }: { page: number; contactId?: string }, { state }) {
      const creditNotes = pageOf(newestFirst(state.creditNotes.filter((c) => !contactId || c.contact.contactID === contactId)), page, 10);
      return { content: [found(creditNotes.length, 'credit notes'), ...creditNotes.map((c) => text(formatCreditNote(c)))], structuredContent: { page, creditNotes } };
    },
  },

  'list-items': {
    errorPrefix: 'Error listing items',
    // Upstream passes `page` where xero-node expects unitdp: the Items endpoint does not page.
    run(_args, { state }) {
      return { content: [found(state.items.length, 'items'), ...state.items.map((i) => text(formatItem(i)))], structuredContent: { items: state.items } };
    },
  },

  'list-quotes': {
    errorPrefix: 'Error listing quotes',
    run({ page, contactId, quoteNumber }: { page: number; contactId?: string; quoteNumber?: string }, { state }) {
      const matches = state.quotes.filter((q) => (!contactId || q.contact.contactID === contactId) && (!quoteNumber || q.quoteNumber === quoteNumber));
      const quotes = pageOf(newestFirst(matches), page, 100);
      return { content: [found(quotes.length, 'quotes'), ...quotes.map((q) => text(formatQuote(q)))], structuredContent: { page, quotes } };
    },
  },

  'create-invoice': {
    errorPrefix: 'Error creating invoice',
    run(
      { contactId, lineItems, type, reference, date }: { contactId: string; lineItems: LineInput[]; type: 'ACCREC' | 'ACCPAY'; reference?: string; date?: string },
      { state, save },
    ) {
      const contact = contactOrFail(state, contactId);
      const lines = linesOrFail(state, lineItems);
      const nextNumber = 1 + Math.max(0, ...state.invoices.map((i) => Number(/^INV-(\d+)$/.exec(i.invoiceNumber ?? '')?.[1] ?? 0)));
      const invoice: Invoice = applyTotals({
        invoiceID: newId(),
        // As upstream's handler: a bill's reference is its (supplier's) invoice number.
        ...(type === 'ACCPAY' ? (reference ? { invoiceNumber: reference } : {}) : { invoiceNumber: `INV-${String(nextNumber).padStart(4, '0')}`, ...(reference ? { reference } : {}) }),
        type,
        status: 'DRAFT',
        contact: { contactID: contact.contactID, name: contact.name },
        date: date || todayIso(),
        dueDate: isoDay(new Date(), 30),
        lineAmountTypes: 'Exclusive',
        lineItems: lines,
        subTotal: 0,
        totalTax: 0,
        total: 0,
        currencyCode: state.organisation.baseCurrency,
        currencyRate: 1,
        updatedDateUTC: nowUtc(),
        amountDue: 0,
        amountPaid: 0,
        amountCredited: 0,
        hasErrors: false,
        isDiscounted: false,
      });
      state.invoices.push(invoice);
      save();
      return {
        content: [
          text(
            [
              'Invoice created successfully:',
              `ID: ${invoice.invoiceID}`,
              `Contact: ${invoice.contact.name}`,
              `Type: ${invoice.type}`,
              `Date: ${xd(invoice.date)}`,
              `Total: ${invoice.total}`,
              `Status: ${invoice.status}`,
              `Link to view: ${invoiceLink(state, invoice)}`,
            ].join('\n'),
          ),
        ],
        structuredContent: { invoice },
      };
    },
  },

  'update-invoice': {
    errorPrefix: 'Error updating invoice',
    run(
      { invoiceId, lineItems, reference, dueDate, date, contactId }: { invoiceId: string; lineItems?: LineInput[]; reference?: string; dueDate?: string; date?: string; contactId?: string },
      { state, save },
    ) {
      const invoice = state.invoices.find((i) => i.invoiceID === invoiceId);
      if (!invoice) throw apiFailure();
      if (invoice.status !== 'DRAFT') throw new XeroFailure(`Cannot update invoice because it is not a draft. Current status: ${invoice.status}`);
      const contact = contactId ? contactOrFail(state, contactId) : undefined;
      const lines = lineItems ? linesOrFail(state, lineItems) : undefined;
      if (lines) invoice.lineItems = lines;
      if (reference !== undefined) invoice.reference = reference;
      if (dueDate) invoice.dueDate = dueDate.slice(0, 10);
      if (date) invoice.date = date.slice(0, 10);
      if (contact) invoice.contact = { contactID: contact.contactID, name: contact.name };
      invoice.updatedDateUTC = nowUtc();
      applyTotals(invoice);
      save();
      return {
        content: [
          text(
            [
              'Invoice updated successfully:',
              `ID: ${invoice.invoiceID}`,
              `Contact: ${invoice.contact.name}`,
              `Type: ${invoice.type}`,
              `Total: ${invoice.total}`,
              `Status: ${invoice.status}`,
              `Link to view: ${invoiceLink(state, invoice)}`,
            ].join('\n'),
          ),
        ],
        structuredContent: { invoice },
      };
    },
  },

  'create-contact': {
    errorPrefix: 'Error creating contact',
    run({ name, email, phone }: { name: string; email?: string; phone?: string }, { state, save }) {
      // Xero: "The contact name ... is already assigned to another contact" (400).
      if (state.contacts.some((c) => c.name.toLowerCase() === name.toLowerCase())) throw apiFailure();
      const contact: Contact = {
        contactID: newId(),
        name,
        ...(email ? { emailAddress: email } : {}),
        ...(phone ? { phones: [{ phoneType: 'MOBILE', phoneNumber: phone }] } : {}),
        isCustomer: false,
        isSupplier: false,
        updatedDateUTC: nowUtc(),
        contactStatus: 'ACTIVE',
        hasAttachments: false,
        hasValidationErrors: false,
      };
      state.contacts.push(contact);
      save();
      return {
        content: [text([`Contact created: ${contact.name} (ID: ${contact.contactID})`, `Link to view: ${deepLinks.contact(state.organisation.shortCode, contact.contactID)}`].join('\n'))],
        structuredContent: { contact },
      };
    },
  },

  'create-payment': {
    errorPrefix: 'Error creating payment',
    run({ invoiceId, accountId, amount, date, reference }: { invoiceId: string; accountId: string; amount: number; date?: string; reference?: string }, { state, save }) {
      const invoice = state.invoices.find((i) => i.invoiceID === invoiceId);
      const account = state.accounts.find((a) => a.accountID === accountId);
      // Xero refuses (400) a payment on an invoice that is not AUTHORISED, above the amount due, or from an account that takes no payments.
      if (!invoice || invoice.status !== 'AUTHORISED' || round2(amount) > invoice.amountDue || !account?.enablePaymentsToAccount) throw apiFailure();
      const payment: Payment = {
        paymentID: newId(),
        date: date || todayIso(),
        amount: round2(amount),
        ...(reference ? { reference } : {}),
        status: 'AUTHORISED',
        paymentType: invoice.type === 'ACCREC' ? 'ACCRECPAYMENT' : 'ACCPAYPAYMENT',
        updatedDateUTC: nowUtc(),
        isReconciled: false,
        currencyRate: 1,
        invoiceNumber: invoice.invoiceNumber,
        account: { accountID: account.accountID, code: account.code },
        invoice: { invoiceID: invoice.invoiceID, invoiceNumber: invoice.invoiceNumber, type: invoice.type, contact: invoice.contact, currencyCode: invoice.currencyCode },
      };
      state.payments.push(payment);
      applyPayment(invoice, payment);
      save();
      return {
        content: [
          text(
            [
              // Sic: upstream's create-payment says "Invoice created".
              'Invoice created successfully:',
              `ID: ${payment.paymentID}`,
              `Reference: ${payment.reference}`,
              `Invoice Number: ${payment.invoiceNumber}`,
              `Amount: ${payment.amount}`,
              `Status: ${payment.status}`,
              `Link to view: ${deepLinks.payment(state.organisation.shortCode, payment.paymentID)}`,
            ].join('\n'),
          ),
        ],
        structuredContent: { payment, invoice },
      };
    },
  },
};
