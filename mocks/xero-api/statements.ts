// The balance sheet and trial balance, from double-entry postings of the ledger's invoices and payments
// (accrual basis; credit notes, manual journals and opening balances are not modelled), in the report shape
// of reports.ts. Layouts after the examples in Xero's OpenAPI description.
import { round2, todayIso } from './ledger.js';
import type { XeroState } from './model.js';
import { cell, endOfMonth, longDate, money, MONTHS, type Report, type Row } from './reports.js';

// The seed's system accounts: where invoices and payments post besides their own lines.
const RECEIVABLES = '610';
const PAYABLES = '800';
const VAT = '820';

/** Double-entry postings of authorised invoices and payments dated in [from, to]: per account code, debit minus credit. */
function postings(state: XeroState, from: string | undefined, to: string): Map<string, number> {
  const balances = new Map<string, number>();
  const post = (code: string, amount: number) => balances.set(code, round2((balances.get(code) ?? 0) + amount));
  const inRange = (day: string) => day <= to && (!from || day >= from);
  for (const inv of state.invoices) {
    if (!(inv.status === 'AUTHORISED' || inv.status === 'PAID') || !inRange(inv.date)) continue;
    const sign = inv.type === 'ACCREC' ? 1 : -1; // a sale debits receivables; a bill credits payables
    post(inv.type === 'ACCREC' ? RECEIVABLES : PAYABLES, sign * inv.total);
    for (const line of inv.lineItems) {
      post(line.accountCode, -sign * line.lineAmount);
      post(VAT, -sign * line.taxAmount);
    }
  }
  for (const p of state.payments) {
    if (p.status !== 'AUTHORISED' || !inRange(p.date)) continue;
    const sign = p.paymentType === 'ACCRECPAYMENT' ? 1 : -1; // money in debits the bank
    post(p.account.code, sign * p.amount);
    post(sign === 1 ? RECEIVABLES : PAYABLES, -sign * p.amount);
  }
  return balances;
}

const shortDate = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1].slice(0, 3)} ${y}`;
};

/** First day of the financial year that contains `iso` (the organisation's year end is day/month). */
function financialYearStart(state: XeroState, iso: string): string {
  const { financialYearEndDay: day, financialYearEndMonth: month } = state.organisation;
  const year = Number(iso.slice(0, 4));
  const endThisYear = new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
  const lastEnd = endThisYear < iso ? endThisYear : new Date(Date.UTC(year - 1, month - 1, day)).toISOString().slice(0, 10);
  return new Date(Date.parse(lastEnd) + 86_400_000).toISOString().slice(0, 10);
}

/** Balance sheet as at `date` (default: end of this month); the one period Xero shows without `periods`. */
export function balanceSheet(state: XeroState, date?: string): Report {
  const at = date ?? endOfMonth(todayIso());
  const balances = postings(state, undefined, at);
  const accountRow = (a: { accountID: string; name: string }, amount: number): Row => ({
    rowType: 'Row',
    cells: [cell(a.name, 'account', a.accountID), cell(money(amount), 'account', a.accountID)],
  });
  const group = (title: string, types: string[], sign: number, total: string) => {
    const accounts = state.accounts.filter((a) => types.includes(a.type) && (balances.get(a.code) ?? 0) !== 0);
    const amount = accounts.reduce((s, a) => s + sign * (balances.get(a.code) ?? 0), 0);
    const row: Row = {
      rowType: 'Section',
      title,
      rows: [...accounts.map((a) => accountRow(a, sign * (balances.get(a.code) ?? 0))), { rowType: 'SummaryRow', cells: [cell(total), cell(money(amount))] }],
    };
    return { row, amount };
  };
  const bank = group('Bank', ['BANK'], 1, 'Total Bank');
  const current = group('Current Assets', ['CURRENT'], 1, 'Total Current Assets');
  const liabilities = group('Current Liabilities', ['CURRLIAB'], -1, 'Total Current Liabilities');
  const assets = bank.amount + current.amount;
  const earnings = state.accounts
    .filter((a) => ['REVENUE', 'SALES', 'DIRECTCOSTS', 'OVERHEADS', 'EXPENSE'].includes(a.type))
    .reduce((s, a) => s - (balances.get(a.code) ?? 0), 0);
  const summary = (title: string, amount: number, rowType: Row['rowType'] = 'SummaryRow'): Row => ({ rowType: 'Section', title: '', rows: [{ rowType, cells: [cell(title), cell(money(amount))] }] });
  return {
    reportID: 'BalanceSheet',
    reportName: 'Balance Sheet',
    reportType: 'BalanceSheet',
    reportTitles: ['Balance Sheet', state.organisation.name, `As at ${longDate(at)}`],
    reportDate: longDate(todayIso()),
    rows: [
      { rowType: 'Header', cells: [cell(''), cell(shortDate(at))] },
      { rowType: 'Section', title: 'Assets', rows: [] },
      bank.row,
      current.row,
      summary('Total Assets', assets),
      { rowType: 'Section', title: 'Liabilities', rows: [] },
      liabilities.row,
      summary('Total Liabilities', liabilities.amount),
      summary('Net Assets', assets - liabilities.amount, 'Row'),
      {
        rowType: 'Section',
        title: 'Equity',
        rows: [{ rowType: 'Row', cells: [cell('Current Year Earnings'), cell(money(earnings))] }, { rowType: 'SummaryRow', cells: [cell('Total Equity'), cell(money(earnings))] }],
      },
    ],
    updatedDateUTC: new Date().toISOString(),
  };
}

/** Trial balance as at `date` (default today): balances to that date, and this financial year's movements. */
export function trialBalance(state: XeroState, date?: string): Report {
  const at = date ?? todayIso();
  const balances = postings(state, undefined, at);
  const ytd = postings(state, financialYearStart(state, at), at);
  const debitCredit = (n: number) => (n >= 0 ? [money(n), ''] : ['', money(-n)]);
  let debit = 0;
  let credit = 0;
  const section = (title: string, types: string[]): Row => {
    const accounts = state.accounts.filter((a) => types.includes(a.type) && ((balances.get(a.code) ?? 0) !== 0 || (ytd.get(a.code) ?? 0) !== 0));
    return {
      rowType: 'Section',
      title,
      rows: accounts.map((a): Row => {
        const balance = balances.get(a.code) ?? 0;
        if (balance >= 0) debit += balance;
        else credit -= balance;
        const values = [`${a.name} (${a.code})`, ...debitCredit(balance), ...debitCredit(ytd.get(a.code) ?? 0)];
        return { rowType: 'Row', cells: values.map((v) => cell(v, 'account', a.accountID)) };
      }),
    };
  };
  return {
    reportID: 'TrialBalance',
    reportName: 'Trial Balance',
    reportType: 'TrialBalance',
    reportTitles: ['Trial Balance', state.organisation.name, `As at ${longDate(at)}`],
    reportDate: longDate(todayIso()),
    rows: [
      { rowType: 'Header', cells: ['Account', 'Debit', 'Credit', 'YTD Debit', 'YTD Credit'].map((v) => cell(v)) },
      section('Revenue', ['REVENUE', 'SALES']),
      section('Expenses', ['DIRECTCOSTS', 'OVERHEADS', 'EXPENSE']),
      section('Assets', ['BANK', 'CURRENT', 'FIXED']),
      section('Liabilities', ['CURRLIAB', 'LIABILITY', 'TERMLIAB']),
      section('Equity', ['EQUITY']),
      { rowType: 'Section', title: '', rows: [{ rowType: 'SummaryRow', cells: [cell('Total'), cell(money(debit)), cell(money(credit)), cell(''), cell('')] }] },
    ],
    updatedDateUTC: new Date().toISOString(),
  };
}
