// The state as Xero's Accounting API sends it: PascalCase fields, dates as "/Date(ms+0000)/" (plus DateString
// where Xero sends one), enums as strings, wrapped in Xero's envelope. Field names are xero-node's `baseName`s
// (node_modules/xero-node/dist/gen/model/accounting/*.js), so xero-node deserializes these answers into the
// same objects the real API gives; the shapes follow the response examples in Xero's OpenAPI description.
import { randomUUID } from 'node:crypto';
import { stableId } from './ledger.js';
import type { Account, Contact, ContactRef, CreditNote, Invoice, Item, LineItem, Organisation, Payment, Quote, TaxRate, XeroState } from './model.js';
import type { Report, Row } from './reports.js';

type Json = Record<string, unknown>;

/** "/Date(1518652800000+0000)/" for a day ("YYYY-MM-DD", midnight UTC) or a timestamp. */
export const msDate = (iso: string): string => `/Date(${Date.parse(iso)}+0000)/`;
/** The envelope's DateTimeUTC, and a few other stamps, carry no offset: "/Date(1518685950940)/". */
export const msStamp = (ms: number = Date.now()): string => `/Date(${ms})/`;
/** Xero's DateString form of a day: "2018-10-20T00:00:00". */
export const dateString = (day: string): string => `${day.slice(0, 10)}T00:00:00`;

/** Milliseconds of a "/Date(ms+0000)/" value, or undefined when `value` is not one. */
export function parseMsDate(value: unknown): number | undefined {
  const m = typeof value === 'string' ? /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(value) : null;
  return m ? Number(m[1]) : undefined;
}

/** A date as a client may send it ("2025-03-01", an ISO timestamp, or "/Date(ms)/"), as a day; undefined if unreadable. */
export function requestDay(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const ms = parseMsDate(value) ?? Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().slice(0, 10);
}

/**
 * The JSON text Xero sends: it escapes the slashes of its dates ("\/Date(1518685950940)\/"), as .NET does.
 * JSON.parse reads both forms the same.
 */
export const toXeroJson = (body: unknown): string => JSON.stringify(body).replace(/"\/Date\((-?\d+(?:[+-]\d{4})?)\)\/"/g, '"\\/Date($1)\\/"');

export interface Pagination {
  page: number;
  pageSize: number;
  pageCount: number;
  itemCount: number;
}

/** Xero's response envelope around a collection ("Invoices", "Contacts", ...). */
export function envelope(providerName: string, key: string, items: unknown[], pagination?: Pagination): Json {
  return {
    Id: randomUUID(),
    Status: 'OK',
    ProviderName: providerName,
    DateTimeUTC: msStamp(),
    ...(pagination ? { pagination } : {}),
    [key]: items,
  };
}

const accountIdOf = (state: XeroState, code: string) => state.accounts.find((a) => a.code === code)?.accountID;

export function contactRefWire(ref: ContactRef): Json {
  return { ContactID: ref.contactID, Name: ref.name, Addresses: [], Phones: [], ContactGroups: [], ContactPersons: [], HasValidationErrors: false };
}

export function lineItemWire(state: XeroState, line: LineItem): Json {
  return {
    ...(line.itemCode ? { ItemCode: line.itemCode } : {}),
    Description: line.description,
    UnitAmount: line.unitAmount,
    TaxType: line.taxType,
    TaxAmount: line.taxAmount,
    LineAmount: line.lineAmount,
    AccountCode: line.accountCode,
    ...(accountIdOf(state, line.accountCode) ? { AccountID: accountIdOf(state, line.accountCode) } : {}),
    ...(line.item ? { Item: { ItemID: line.item.itemID, Name: line.item.name, Code: line.item.code } } : {}),
    Tracking: line.tracking.map((t) => ({ Name: t.name, Option: t.option, TrackingCategoryID: t.trackingCategoryID })),
    Quantity: line.quantity,
    LineItemID: line.lineItemID,
  };
}

/**
 * An invoice. Xero sends line items with paged lists (`page`) and single invoices; unpaged lists and
 * summaryOnly answers carry `LineItems: []`.
 */
export function invoiceWire(state: XeroState, invoice: Invoice, withLines: boolean): Json {
  const payments = state.payments.filter((p) => p.invoice.invoiceID === invoice.invoiceID && p.status === 'AUTHORISED');
  return {
    Type: invoice.type,
    InvoiceID: invoice.invoiceID,
    InvoiceNumber: invoice.invoiceNumber ?? '',
    Reference: invoice.reference ?? '',
    Payments: payments.map((p) => ({
      PaymentID: p.paymentID,
      Date: msDate(p.date),
      Amount: p.amount,
      ...(p.reference ? { Reference: p.reference } : {}),
      CurrencyRate: p.currencyRate,
      HasAccount: false,
      HasValidationErrors: false,
    })),
    CreditNotes: [],
    Prepayments: [],
    Overpayments: [],
    AmountDue: invoice.amountDue,
    AmountPaid: invoice.amountPaid,
    AmountCredited: invoice.amountCredited,
    CurrencyRate: invoice.currencyRate,
    IsDiscounted: invoice.isDiscounted,
    HasAttachments: false,
    HasErrors: invoice.hasErrors,
    Contact: contactRefWire(invoice.contact),
    DateString: dateString(invoice.date),
    Date: msDate(invoice.date),
    DueDateString: dateString(invoice.dueDate),
    DueDate: msDate(invoice.dueDate),
    Status: invoice.status,
    LineAmountTypes: invoice.lineAmountTypes,
    LineItems: withLines ? invoice.lineItems.map((l) => lineItemWire(state, l)) : [],
    SubTotal: invoice.subTotal,
    TotalTax: invoice.totalTax,
    Total: invoice.total,
    UpdatedDateUTC: msDate(invoice.updatedDateUTC),
    CurrencyCode: invoice.currencyCode,
    ...(invoice.fullyPaidOnDate ? { FullyPaidOnDate: msDate(invoice.fullyPaidOnDate) } : {}),
  };
}

/** What a contact owes and is owed: Xero's Balances, left out of summaryOnly answers (they are computed). */
function balances(state: XeroState, contactId: string): Json | undefined {
  const open = state.invoices.filter((i) => i.contact.contactID === contactId && i.status === 'AUTHORISED' && i.amountDue > 0);
  const today = new Date().toISOString().slice(0, 10);
  const sum = (type: string, overdue: boolean) =>
    Math.round(open.filter((i) => i.type === type && (!overdue || i.dueDate < today)).reduce((s, i) => s + i.amountDue, 0) * 100) / 100;
  const receivable = sum('ACCREC', false);
  const payable = sum('ACCPAY', false);
  if (!receivable && !payable) return undefined;
  return {
    ...(receivable ? { AccountsReceivable: { Outstanding: receivable, Overdue: sum('ACCREC', true) } } : {}),
    ...(payable ? { AccountsPayable: { Outstanding: payable, Overdue: sum('ACCPAY', true) } } : {}),
  };
}

export function contactWire(state: XeroState, contact: Contact, summaryOnly: boolean): Json {
  const owed = summaryOnly ? undefined : balances(state, contact.contactID);
  return {
    ContactID: contact.contactID,
    ContactStatus: contact.contactStatus,
    Name: contact.name,
    ...(contact.firstName ? { FirstName: contact.firstName } : {}),
    ...(contact.lastName ? { LastName: contact.lastName } : {}),
    ...(contact.emailAddress ? { EmailAddress: contact.emailAddress } : {}),
    ...(contact.contactNumber ? { ContactNumber: contact.contactNumber } : {}),
    ...(contact.accountsReceivableTaxType ? { AccountsReceivableTaxType: contact.accountsReceivableTaxType } : {}),
    ...(contact.accountsPayableTaxType ? { AccountsPayableTaxType: contact.accountsPayableTaxType } : {}),
    Addresses: [],
    Phones: (contact.phones ?? []).map((p) => ({ PhoneType: p.phoneType, PhoneNumber: p.phoneNumber })),
    UpdatedDateUTC: msDate(contact.updatedDateUTC),
    ContactGroups: (contact.contactGroups ?? []).map((g) => ({ Name: g.name, Status: 'ACTIVE', ContactGroupID: stableId(`contact-group:${g.name}`) })),
    IsSupplier: contact.isSupplier,
    IsCustomer: contact.isCustomer,
    ...(contact.defaultCurrency ? { DefaultCurrency: contact.defaultCurrency } : {}),
    ...(owed ? { Balances: owed } : {}),
    ContactPersons: [],
    HasAttachments: contact.hasAttachments,
    HasValidationErrors: contact.hasValidationErrors,
  };
}

/**
 * A payment. Xero's GET /Payments nests a short invoice (no totals), and its create answers the invoice with
 * amounts; neither carries the top-level InvoiceNumber (see Xero's examples), so the official server's
 * create-payment text says "Invoice Number: undefined" against the real API too.
 */
export function paymentWire(state: XeroState, payment: Payment, fullInvoice: boolean): Json {
  const invoice = state.invoices.find((i) => i.invoiceID === payment.invoice.invoiceID);
  const account = state.accounts.find((a) => a.accountID === payment.account.accountID);
  const nested = fullInvoice && invoice
    ? { ...invoiceWire(state, invoice, true), Payments: undefined, CreditNotes: undefined }
    : {
        Type: payment.invoice.type,
        InvoiceID: payment.invoice.invoiceID,
        InvoiceNumber: payment.invoice.invoiceNumber ?? '',
        Payments: [],
        CreditNotes: [],
        Prepayments: [],
        Overpayments: [],
        HasErrors: false,
        IsDiscounted: false,
        Contact: contactRefWire(payment.invoice.contact),
        LineItems: [],
        CurrencyCode: payment.invoice.currencyCode,
      };
  return {
    PaymentID: payment.paymentID,
    Date: msDate(payment.date),
    BankAmount: payment.amount,
    Amount: payment.amount,
    ...(payment.reference !== undefined ? { Reference: payment.reference } : {}),
    CurrencyRate: payment.currencyRate,
    PaymentType: payment.paymentType,
    Status: payment.status,
    UpdatedDateUTC: msDate(payment.updatedDateUTC),
    HasAccount: true,
    IsReconciled: payment.isReconciled,
    Account: { AccountID: payment.account.accountID, Code: payment.account.code, ...(fullInvoice && account ? { Name: account.name } : {}) },
    Invoice: JSON.parse(JSON.stringify(nested)) as Json, // drops the undefined keys
    HasValidationErrors: false,
  };
}

const ACCOUNT_CLASS: Record<string, string> = {
  BANK: 'ASSET', CURRENT: 'ASSET', FIXED: 'ASSET', INVENTORY: 'ASSET', PREPAYMENT: 'ASSET', NONCURRENT: 'ASSET',
  CURRLIAB: 'LIABILITY', LIABILITY: 'LIABILITY', TERMLIAB: 'LIABILITY',
  EQUITY: 'EQUITY',
  REVENUE: 'REVENUE', SALES: 'REVENUE', OTHERINCOME: 'REVENUE',
  DIRECTCOSTS: 'EXPENSE', OVERHEADS: 'EXPENSE', EXPENSE: 'EXPENSE', DEPRECIATN: 'EXPENSE',
};
/** The seed's system accounts, as Xero flags them. */
const SYSTEM_ACCOUNT: Record<string, string> = { '610': 'DEBTORS', '800': 'CREDITORS', '820': 'GST' };

export function accountWire(state: XeroState, account: Account): Json {
  return {
    AccountID: account.accountID,
    Code: account.code,
    Name: account.name,
    Status: account.status,
    Type: account.type,
    TaxType: account.taxType,
    ...(account.description ? { Description: account.description } : {}),
    Class: ACCOUNT_CLASS[account.type] ?? 'EXPENSE',
    ...(SYSTEM_ACCOUNT[account.code] ? { SystemAccount: SYSTEM_ACCOUNT[account.code] } : {}),
    EnablePaymentsToAccount: account.enablePaymentsToAccount,
    ShowInExpenseClaims: false,
    ...(account.type === 'BANK' ? { BankAccountType: 'BANK', CurrencyCode: state.organisation.baseCurrency } : {}),
    ReportingCode: ACCOUNT_CLASS[account.type]?.slice(0, 3) ?? 'EXP',
    HasAttachments: false,
    UpdatedDateUTC: msDate(state.organisation.createdDateUTC),
    AddToWatchlist: false,
  };
}

/** Xero's ReportTaxType for the seed's UK tax types. */
const REPORT_TAX_TYPE: Record<string, string> = { OUTPUT2: 'OUTPUT', INPUT2: 'INPUT', ZERORATEDOUTPUT: 'OUTPUT', NONE: 'NONE' };

export function taxRateWire(rate: TaxRate): Json {
  return {
    Name: rate.name,
    TaxType: rate.taxType,
    ReportTaxType: REPORT_TAX_TYPE[rate.taxType] ?? 'NONE',
    CanApplyToAssets: rate.canApplyToAssets,
    CanApplyToEquity: rate.canApplyToEquity,
    CanApplyToExpenses: rate.canApplyToExpenses,
    CanApplyToLiabilities: rate.canApplyToLiabilities,
    CanApplyToRevenue: rate.canApplyToRevenue,
    DisplayTaxRate: rate.displayTaxRate,
    EffectiveRate: rate.effectiveRate,
    Status: rate.status,
    TaxComponents: rate.taxComponents.map((c) => ({ Name: c.name, Rate: c.rate, IsCompound: c.isCompound, IsNonRecoverable: c.isNonRecoverable })),
  };
}

const details = (d: Item['salesDetails']): Json =>
  d ? { ...(d.unitPrice !== undefined ? { UnitPrice: d.unitPrice } : {}), ...(d.accountCode ? { AccountCode: d.accountCode } : {}), ...(d.taxType ? { TaxType: d.taxType } : {}) } : {};

export function itemWire(item: Item): Json {
  return {
    ItemID: item.itemID,
    Code: item.code,
    Name: item.name,
    ...(item.description ? { Description: item.description } : {}),
    ...(item.purchaseDescription ? { PurchaseDescription: item.purchaseDescription } : {}),
    UpdatedDateUTC: msDate(item.updatedDateUTC),
    PurchaseDetails: details(item.purchaseDetails),
    SalesDetails: details(item.salesDetails),
    IsTrackedAsInventory: item.isTrackedAsInventory,
    IsSold: item.isSold,
    IsPurchased: item.isPurchased,
  };
}

export function creditNoteWire(note: CreditNote): Json {
  return {
    CreditNoteID: note.creditNoteID,
    CreditNoteNumber: note.creditNoteNumber,
    ...(note.reference ? { Reference: note.reference } : {}),
    Type: note.type,
    Status: note.status,
    Contact: contactRefWire(note.contact),
    DateString: dateString(note.date),
    Date: msDate(note.date),
    LineAmountTypes: note.lineAmountTypes,
    LineItems: [],
    SubTotal: note.subTotal,
    TotalTax: note.totalTax,
    Total: note.total,
    UpdatedDateUTC: msDate(note.updatedDateUTC),
    CurrencyCode: note.currencyCode,
    CurrencyRate: note.currencyRate,
    RemainingCredit: note.remainingCredit,
    Allocations: [],
    Payments: [],
    HasAttachments: false,
    HasErrors: false,
  };
}

export function quoteWire(quote: Quote): Json {
  const day = quote.dateString.slice(0, 10);
  const expiry = quote.expiryDateString.slice(0, 10);
  return {
    QuoteID: quote.quoteID,
    QuoteNumber: quote.quoteNumber,
    ...(quote.reference ? { Reference: quote.reference } : {}),
    ...(quote.terms ? { Terms: quote.terms } : {}),
    Contact: contactRefWire(quote.contact),
    LineItems: [],
    Date: msDate(day),
    DateString: dateString(day),
    ExpiryDate: msDate(expiry),
    ExpiryDateString: dateString(expiry),
    Status: quote.status,
    CurrencyRate: quote.currencyRate,
    CurrencyCode: quote.currencyCode,
    SubTotal: quote.subTotal,
    TotalTax: quote.totalTax,
    Total: quote.total,
    TotalDiscount: 0,
    ...(quote.title ? { Title: quote.title } : {}),
    ...(quote.summary ? { Summary: quote.summary } : {}),
    UpdatedDateUTC: msDate(quote.updatedDateUTC),
    LineAmountTypes: quote.lineAmountTypes,
  };
}

export function organisationWire(org: Organisation): Json {
  return {
    Name: org.name,
    LegalName: org.legalName,
    PaysTax: org.paysTax,
    Version: org.version,
    OrganisationType: org.organisationType,
    BaseCurrency: org.baseCurrency,
    CountryCode: org.countryCode,
    IsDemoCompany: org.isDemoCompany,
    OrganisationStatus: org.organisationStatus,
    RegistrationNumber: org.registrationNumber,
    TaxNumber: org.taxNumber,
    FinancialYearEndDay: org.financialYearEndDay,
    FinancialYearEndMonth: org.financialYearEndMonth,
    SalesTaxBasis: org.salesTaxBasis,
    SalesTaxPeriod: org.salesTaxPeriod,
    DefaultSalesTax: 'Tax Exclusive',
    DefaultPurchasesTax: 'Tax Exclusive',
    CreatedDateUTC: msStamp(Date.parse(org.createdDateUTC)),
    OrganisationEntityType: org.organisationEntityType,
    Timezone: org.timezone,
    ShortCode: org.shortCode,
    OrganisationID: org.organisationID,
    Edition: org.edition,
    Class: org._class,
    LineOfBusiness: org.lineOfBusiness,
    Addresses: org.addresses.map((a) => ({
      AddressType: a.addressType,
      ...(a.addressLine1 ? { AddressLine1: a.addressLine1 } : {}),
      ...(a.addressLine2 ? { AddressLine2: a.addressLine2 } : {}),
      ...(a.city ? { City: a.city } : {}),
      ...(a.postalCode ? { PostalCode: a.postalCode } : {}),
      ...(a.country ? { Country: a.country } : {}),
    })),
    Phones: org.phones.map((p) => ({ PhoneType: p.phoneType, PhoneNumber: p.phoneNumber })),
    ExternalLinks: org.externalLinks.map((l) => ({ LinkType: l.linkType, Url: l.url })),
    PaymentTerms: {
      Bills: { Day: org.paymentTerms.bills.day, Type: org.paymentTerms.bills.type },
      Sales: { Day: org.paymentTerms.sales.day, Type: org.paymentTerms.sales.type },
    },
  };
}

function rowWire(row: Row): Json {
  return {
    RowType: row.rowType,
    ...(row.title !== undefined ? { Title: row.title } : {}),
    ...(row.cells ? { Cells: row.cells.map((c) => ({ Value: c.value, ...(c.attributes ? { Attributes: c.attributes.map((a) => ({ Value: a.value, Id: a.id })) } : {}) })) } : {}),
    ...(row.rows ? { Rows: row.rows.map(rowWire) } : {}),
  };
}

export function reportWire(report: Report): Json {
  return {
    ...(report.reportID ? { ReportID: report.reportID } : {}),
    ReportName: report.reportName,
    ReportType: report.reportType,
    ReportTitles: report.reportTitles,
    ReportDate: report.reportDate,
    UpdatedDateUTC: msStamp(Date.parse(report.updatedDateUTC)),
    Fields: [],
    Rows: report.rows.map(rowWire),
  };
}
