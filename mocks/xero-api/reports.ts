// Xero's report shape (Reports API: rows of Header / Section / Row / SummaryRow with cells), built from the
// mock's ledger. Keys are in xero-node's order (rowType, title, cells, rows; cell: value, attributes; attribute:
// id, value), since the official server prints the rows with JSON.stringify. The HTTP mock sends them in
// Xero's PascalCase (wire.ts); the layouts follow the examples in Xero's OpenAPI description (Xero-OpenAPI,
// xero_accounting.yaml). Balance sheet and trial balance: statements.ts.
import { round2, todayIso } from './ledger.js';
import type { Invoice, XeroState } from './model.js';

export interface Cell { value: string; attributes?: Array<{ id: string; value: string }> }
export interface Row { rowType: 'Header' | 'Section' | 'Row' | 'SummaryRow'; title?: string; cells?: Cell[]; rows?: Row[] }
/** reportID is left out of aged receivables, as in Xero's example of that report. */
export interface Report { reportID?: string; reportName: string; reportType: string; reportTitles: string[]; reportDate: string; rows: Row[]; updatedDateUTC: string }

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** Xero writes report dates as "5 March 2025". */
export const longDate = (iso: string): string => {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
};
export const endOfMonth = (iso: string): string => {
  const [y, m] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};
export const money = (n: number) => round2(n).toFixed(2);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
export const cell = (value: string, id?: string, attr?: string): Cell => (id && attr ? { value, attributes: [{ id, value: attr }] } : { value });

export function agedReceivablesByContact(state: XeroState, contactId: string, reportDate?: string, fromDate?: string, toDate?: string): Report | undefined {
  const contact = state.contacts.find((c) => c.contactID === contactId);
  if (!contact) return undefined;
  const date = reportDate ?? endOfMonth(todayIso());
  const open = state.invoices.filter(
    (i) =>
      i.type === 'ACCREC' &&
      i.contact.contactID === contactId &&
      (i.status === 'AUTHORISED' || i.status === 'SUBMITTED') &&
      i.amountDue > 0 &&
      i.date <= date &&
      (!fromDate || i.date >= fromDate) &&
      (!toDate || i.date <= toDate),
  );
  const row = (i: Invoice): Row => ({
    rowType: 'Row',
    cells: [
      cell(`${i.date}T00:00:00`, 'invoiceID', i.invoiceID),
      cell(i.invoiceNumber ?? '', 'invoiceID', i.invoiceID),
      cell(`${i.dueDate}T00:00:00`, 'invoiceID', i.invoiceID),
      cell(i.dueDate < date ? `${daysBetween(i.dueDate, date)} days overdue` : '', 'invoiceID', i.invoiceID),
      cell(money(i.total), 'invoiceID', i.invoiceID),
      cell(money(i.amountPaid), 'invoiceID', i.invoiceID),
      cell(money(i.amountCredited), 'invoiceID', i.invoiceID),
      cell(money(i.amountDue), 'invoiceID', i.invoiceID),
    ],
  });
  const sum = (f: (i: Invoice) => number) => money(open.reduce((s, i) => s + f(i), 0));
  return {
    reportName: 'Aged Receivables By Contact',
    reportType: 'AgedReceivablesByContact',
    reportTitles: ['Invoices', contact.name, `From ${longDate(fromDate ?? '2000-01-01')} to ${longDate(toDate ?? date)}`, `Showing payments to ${longDate(date)}`],
    reportDate: longDate(todayIso()),
    rows: [
      { rowType: 'Header', cells: ['Date', 'Number', 'Due Date', '', 'Total', 'Paid', 'Credited', 'Due'].map((v) => cell(v)) },
      {
        rowType: 'Section',
        title: '',
        rows: [
          ...open.map(row),
          {
            rowType: 'SummaryRow',
            cells: [cell('Total'), cell(''), cell(''), cell(''), cell(sum((i) => i.total)), cell(sum((i) => i.amountPaid)), cell(sum((i) => i.amountCredited)), cell(sum((i) => i.amountDue))],
          },
        ],
      },
    ],
    updatedDateUTC: new Date().toISOString(),
  };
}

/** Accrual-basis profit and loss over invoices dated in [fromDate, toDate] (default: this month). */
export function profitAndLoss(state: XeroState, fromDate?: string, toDate?: string): Report {
  const today = todayIso();
  const from = fromDate ?? `${today.slice(0, 8)}01`;
  const to = toDate ?? endOfMonth(from);
  const byAccount = new Map<string, number>();
  for (const inv of state.invoices) {
    if (!(inv.status === 'AUTHORISED' || inv.status === 'PAID') || inv.date < from || inv.date > to) continue;
    for (const line of inv.lineItems) byAccount.set(line.accountCode, (byAccount.get(line.accountCode) ?? 0) + line.lineAmount);
  }
  const section = (title: string, types: string[], total: string) => {
    const accounts = state.accounts.filter((a) => types.includes(a.type) && byAccount.has(a.code));
    const amount = accounts.reduce((s, a) => s + (byAccount.get(a.code) ?? 0), 0);
    const row: Row = {
      rowType: 'Section',
      title,
      rows: [
        ...accounts.map((a): Row => ({ rowType: 'Row', cells: [cell(a.name, 'account', a.accountID), cell(money(byAccount.get(a.code) ?? 0), 'account', a.accountID)] })),
        { rowType: 'SummaryRow', cells: [cell(total), cell(money(amount))] },
      ],
    };
    return { row, amount };
  };
  const income = section('Income', ['REVENUE', 'SALES'], 'Total Income');
  const cos = section('Less Cost of Sales', ['DIRECTCOSTS'], 'Total Cost of Sales');
  const expenses = section('Less Operating Expenses', ['OVERHEADS', 'EXPENSE'], 'Total Operating Expenses');
  const gross = income.amount - cos.amount;
  const [, m, d] = to.split('-').map(Number);
  return {
    reportID: 'ProfitAndLoss',
    reportName: 'Profit and Loss',
    reportType: 'ProfitAndLoss',
    reportTitles: ['Profit & Loss', state.organisation.name, `${longDate(from)} to ${longDate(to)}`],
    reportDate: longDate(today),
    rows: [
      { rowType: 'Header', cells: [cell(''), cell(`${d} ${MONTHS[m - 1].slice(0, 3)} ${to.slice(2, 4)}`)] },
      income.row,
      cos.row,
      { rowType: 'Section', title: '', rows: [{ rowType: 'Row', cells: [cell('Gross Profit'), cell(money(gross))] }] },
      expenses.row,
      { rowType: 'Section', title: '', rows: [{ rowType: 'Row', cells: [cell('Net Profit'), cell(money(gross - expenses.amount))] }] },
    ],
    updatedDateUTC: new Date().toISOString(),
  };
}

