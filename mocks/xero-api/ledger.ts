// Xero's bookkeeping rules that both the seed data and the write tools need: line amounts and tax,
// invoice totals, and what a payment does to an invoice.
import { createHash, randomUUID } from 'node:crypto';
import type { Invoice, LineItem, Payment, XeroState } from './model.js';

export const round2 = (n: number): number => Math.round(n * 100) / 100;

/** A stable GUID for seed records, so ids are the same in every run and in the docs. */
export function stableId(key: string): string {
  const h = createHash('sha1').update(`xero-mock:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const newId = (): string => randomUUID();

/** ISO date (YYYY-MM-DD) `days` away from `from`. */
export function isoDay(from: Date, days: number): string {
  return new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

export interface LineInput {
  description: string;
  quantity: number;
  unitAmount: number;
  accountCode: string;
  taxType: string;
  itemCode?: string;
  tracking?: Array<{ name: string; option: string; trackingCategoryID: string }>;
}

export function taxRateOf(state: XeroState, taxType: string): number | undefined {
  return state.taxRates.find((t) => t.taxType === taxType)?.effectiveRate;
}

/** Builds a line as Xero stores it (exclusive amounts), or says which field Xero would reject. */
export function buildLine(state: XeroState, input: LineInput, id: string = newId()): LineItem | string {
  if (!state.accounts.some((a) => a.code === input.accountCode && a.status === 'ACTIVE')) {
    return `Account code '${input.accountCode}' is not a valid code for this document.`;
  }
  const rate = taxRateOf(state, input.taxType);
  if (rate === undefined) return `The TaxType code '${input.taxType}' does not exist or cannot be used for this type of transaction.`;
  const item = input.itemCode ? state.items.find((i) => i.code === input.itemCode) : undefined;
  if (input.itemCode && !item) return `Item code '${input.itemCode}' is not valid`;
  const lineAmount = round2(input.quantity * input.unitAmount);
  return {
    lineItemID: id,
    description: input.description,
    quantity: input.quantity,
    unitAmount: input.unitAmount,
    ...(item ? { itemCode: item.code, item: { itemID: item.itemID, name: item.name, code: item.code } } : {}),
    accountCode: input.accountCode,
    taxType: input.taxType,
    taxAmount: round2((lineAmount * rate) / 100),
    lineAmount,
    tracking: input.tracking ?? [],
  };
}

/** Recomputes an invoice's totals and amount due from its lines and what was paid or credited. */
export function applyTotals(invoice: Invoice): Invoice {
  invoice.subTotal = round2(invoice.lineItems.reduce((s, l) => s + l.lineAmount, 0));
  invoice.totalTax = round2(invoice.lineItems.reduce((s, l) => s + l.taxAmount, 0));
  invoice.total = round2(invoice.subTotal + invoice.totalTax);
  invoice.amountDue = round2(invoice.total - invoice.amountPaid - invoice.amountCredited);
  return invoice;
}

/** Records a payment on its invoice; Xero marks the invoice PAID once nothing is left to pay. */
export function applyPayment(invoice: Invoice, payment: Payment): void {
  invoice.amountPaid = round2(invoice.amountPaid + payment.amount);
  invoice.amountDue = round2(invoice.total - invoice.amountPaid - invoice.amountCredited);
  if (invoice.amountDue <= 0) {
    invoice.amountDue = 0;
    invoice.status = 'PAID';
    invoice.fullyPaidOnDate = payment.date;
  }
  invoice.updatedDateUTC = payment.updatedDateUTC;
}

/** Today's date where the mock runs, as the default for report and invoice dates. */
export const todayIso = (): string => new Date().toISOString().slice(0, 10);
