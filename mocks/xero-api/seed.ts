// Fixture data: "Acme Ltd", a UK (GBP) software consultancy. Dates are relative to the day the state is
// created, so "overdue" always means overdue: INV-0002, INV-0003 (part paid), INV-0004 and INV-0008 are
// AUTHORISED sales invoices past their due date with money owed, and PD-88231 is an overdue bill.
import { applyPayment, applyTotals, buildLine, isoDay, stableId, type LineInput } from './ledger.js';
import type { Account, Contact, Invoice, InvoiceStatus, InvoiceType, LineItem, Payment, Quote, TaxRate, XeroState } from './model.js';

const at = (day: string, time = '09:30:00') => `${day}T${time}.000Z`;

function contacts(now: Date): Contact[] {
  const c = (
    key: string,
    name: string,
    extra: Partial<Contact> & { isCustomer: boolean; isSupplier: boolean },
    updatedDaysAgo: number,
  ): Contact => ({
    contactID: stableId(`contact:${key}`),
    name,
    contactStatus: 'ACTIVE',
    hasAttachments: false,
    hasValidationErrors: false,
    updatedDateUTC: at(isoDay(now, -updatedDaysAgo)),
    ...extra,
  });
  return [
    c('bayside', 'Bayside Club', { firstName: 'Sarah', lastName: 'Morgan', emailAddress: 'accounts@baysideclub.example', accountsReceivableTaxType: 'OUTPUT2', isCustomer: true, isSupplier: false, defaultCurrency: 'GBP', contactGroups: [{ name: 'Key accounts' }] }, 200),
    c('citylimo', 'City Limousines', { firstName: 'Tom', lastName: 'Hughes', emailAddress: 'finance@citylimousines.example', isCustomer: true, isSupplier: false }, 180),
    c('marine', 'Marine Systems', { firstName: 'Priya', lastName: 'Shah', emailAddress: 'ap@marinesystems.example', accountsReceivableTaxType: 'OUTPUT2', isCustomer: true, isSupplier: false, defaultCurrency: 'GBP' }, 150),
    c('ridgeway', 'Ridgeway University', { firstName: 'James', lastName: 'Okafor', emailAddress: 'purchasing@ridgeway.example', contactNumber: 'RU-1001', isCustomer: true, isSupplier: false, contactGroups: [{ name: 'Key accounts' }] }, 120),
    c('hamilton', 'Hamilton Smith Ltd', { emailAddress: 'invoices@hamiltonsmith.example', isCustomer: true, isSupplier: false }, 90),
    c('powerdirect', 'PowerDirect', { emailAddress: 'billing@powerdirect.example', accountsPayableTaxType: 'INPUT2', isCustomer: false, isSupplier: true }, 240),
    c('officesupplies', 'Office Supplies Co', { firstName: 'Dana', lastName: 'Reid', emailAddress: 'sales@officesupplies.example', isCustomer: false, isSupplier: true }, 220),
    c('cloudnine', 'Cloudnine Hosting', { emailAddress: 'billing@cloudnine.example', accountsPayableTaxType: 'INPUT2', isCustomer: false, isSupplier: true, defaultCurrency: 'GBP' }, 60),
  ];
}

function accounts(): Account[] {
  const a = (code: string, name: string, type: string, taxType: string, description?: string): Account => ({
    accountID: stableId(`account:${code}`),
    code,
    name,
    type,
    status: 'ACTIVE',
    taxType,
    enablePaymentsToAccount: type === 'BANK',
    ...(description ? { description } : {}),
  });
  return [
    a('090', 'Business Bank Account', 'BANK', 'NONE'),
    a('200', 'Sales', 'REVENUE', 'OUTPUT2', 'Income from any normal business activity'),
    a('260', 'Other Revenue', 'REVENUE', 'OUTPUT2', 'Any other income that does not relate to normal business activities'),
    a('310', 'Cost of Goods Sold', 'DIRECTCOSTS', 'INPUT2', 'Cost of goods sold by the business'),
    a('400', 'Advertising & Marketing', 'OVERHEADS', 'INPUT2'),
    a('429', 'General Expenses', 'OVERHEADS', 'INPUT2', 'General expenses related to the running of the business'),
    a('445', 'Light, Power, Heating', 'OVERHEADS', 'INPUT2', 'Expenses incurred for lighting, powering or heating the premises'),
    a('461', 'Printing & Stationery', 'OVERHEADS', 'INPUT2'),
    a('485', 'Subscriptions', 'OVERHEADS', 'INPUT2', 'E.g. magazines, professional bodies, software and hosting'),
    a('610', 'Accounts Receivable', 'CURRENT', 'NONE', 'Invoices the business has issued but has not yet collected payment on'),
    a('800', 'Accounts Payable', 'CURRLIAB', 'NONE', 'Invoices the company has received from suppliers but have not made payment on yet'),
    a('820', 'VAT', 'CURRLIAB', 'NONE', 'The balance in this account represents VAT owing to or from HMRC'),
  ];
}

function taxRates(): TaxRate[] {
  const t = (name: string, taxType: string, rate: number, revenue: boolean, expenses: boolean): TaxRate => ({
    name,
    taxType,
    status: 'ACTIVE',
    displayTaxRate: rate,
    effectiveRate: rate,
    taxComponents: [{ name: 'VAT', rate, isCompound: false, isNonRecoverable: false }],
    canApplyToAssets: expenses,
    canApplyToEquity: false,
    canApplyToExpenses: expenses,
    canApplyToLiabilities: expenses,
    canApplyToRevenue: revenue,
  });
  return [
    t('20% (VAT on Income)', 'OUTPUT2', 20, true, false),
    t('20% (VAT on Expenses)', 'INPUT2', 20, false, true),
    t('Zero Rated Income', 'ZERORATEDOUTPUT', 0, true, false),
    t('No VAT', 'NONE', 0, true, true),
  ];
}

export function seedState(now: Date = new Date()): XeroState {
  const state: XeroState = {
    organisation: {
      organisationID: stableId('organisation'),
      name: 'Acme Ltd',
      legalName: 'Acme Limited',
      paysTax: true,
      version: 'UK',
      organisationType: 'COMPANY',
      baseCurrency: 'GBP',
      countryCode: 'GB',
      isDemoCompany: false,
      organisationStatus: 'ACTIVE',
      registrationNumber: '09876543',
      taxNumber: 'GB 123 4567 89',
      financialYearEndDay: 31,
      financialYearEndMonth: 3,
      salesTaxBasis: 'ACCRUALS',
      salesTaxPeriod: 'QUARTERLY1',
      createdDateUTC: '2019-04-02T10:15:00.000Z',
      timezone: 'GMTSTANDARDTIME',
      organisationEntityType: 'COMPANY',
      shortCode: '!Acm3L',
      _class: 'PREMIUM',
      edition: 'BUSINESS',
      lineOfBusiness: 'Software consultancy',
      addresses: [
        { addressType: 'STREET', addressLine1: '12 Harbour Road', city: 'Bristol', postalCode: 'BS1 5TY', country: 'United Kingdom' },
        { addressType: 'POBOX', addressLine1: 'PO Box 4410', city: 'Bristol', postalCode: 'BS99 1AB', country: 'United Kingdom' },
      ],
      phones: [{ phoneType: 'OFFICE', phoneNumber: '0117 496 0123' }],
      externalLinks: [{ linkType: 'Website', url: 'https://acme.example' }],
      paymentTerms: { bills: { day: 20, type: 'OFFOLLOWINGMONTH' }, sales: { day: 30, type: 'DAYSAFTERBILLDATE' } },
    },
    contacts: contacts(now),
    accounts: accounts(),
    taxRates: taxRates(),
    items: [
      { code: 'CONS-DAY', name: 'Consulting day', description: 'One day of senior consulting', sales: 650 },
      { code: 'SUPPORT-M', name: 'Monthly support', description: 'Support retainer, one month', sales: 450 },
      { code: 'TRAIN-SEAT', name: 'Training seat', description: 'One seat on a one-day training course', sales: 240 },
      { code: 'LIC-ANNUAL', name: 'Annual licence', description: 'Annual software licence', sales: 1200, purchase: 800 },
    ].map((i) => ({
      itemID: stableId(`item:${i.code}`),
      code: i.code,
      name: i.name,
      description: i.description,
      ...(i.purchase ? { purchaseDescription: `${i.name} (wholesale)` } : {}),
      salesDetails: { unitPrice: i.sales, accountCode: '200', taxType: 'OUTPUT2' },
      purchaseDetails: i.purchase ? { unitPrice: i.purchase, accountCode: '310', taxType: 'INPUT2' } : {},
      isTrackedAsInventory: false,
      isSold: true,
      isPurchased: Boolean(i.purchase),
      updatedDateUTC: at(isoDay(now, -300)),
    })),
    invoices: [],
    payments: [],
    creditNotes: [],
    quotes: [],
  };

  const contactRef = (key: string) => {
    const c = state.contacts.find((x) => x.contactID === stableId(`contact:${key}`))!;
    return { contactID: c.contactID, name: c.name };
  };
  const inv = (
    n: string,
    type: InvoiceType,
    status: InvoiceStatus,
    contact: string,
    dateOffset: number,
    termDays: number,
    lines: LineInput[],
    reference?: string,
  ): Invoice => {
    const date = isoDay(now, dateOffset);
    const invoice: Invoice = {
      invoiceID: stableId(`invoice:${n}`),
      invoiceNumber: n,
      ...(reference ? { reference } : {}),
      type,
      status,
      contact: contactRef(contact),
      date,
      dueDate: isoDay(now, dateOffset + termDays),
      lineAmountTypes: 'Exclusive',
      lineItems: lines.map((l, i): LineItem => {
        const line = buildLine(state, l, stableId(`line:${n}:${i}`));
        if (typeof line === 'string') throw new Error(`seed ${n}: ${line}`);
        return line;
      }),
      subTotal: 0,
      totalTax: 0,
      total: 0,
      currencyCode: 'GBP',
      currencyRate: 1,
      updatedDateUTC: at(date, '11:05:00'),
      amountDue: 0,
      amountPaid: 0,
      amountCredited: 0,
      hasErrors: false,
      isDiscounted: false,
    };
    applyTotals(invoice);
    state.invoices.push(invoice);
    return invoice;
  };
  const sale = (description: string, quantity: number, unitAmount: number, itemCode?: string): LineInput => ({
    description, quantity, unitAmount, accountCode: '200', taxType: 'OUTPUT2', ...(itemCode ? { itemCode } : {}),
  });
  const cost = (description: string, quantity: number, unitAmount: number, accountCode: string): LineInput => ({
    description, quantity, unitAmount, accountCode, taxType: 'INPUT2',
  });
  const pay = (invoice: Invoice, dayOffset: number, amount: number, reference?: string) => {
    const date = isoDay(now, dayOffset);
    const payment: Payment = {
      paymentID: stableId(`payment:${invoice.invoiceNumber}:${dayOffset}`),
      date,
      amount,
      ...(reference ? { reference } : {}),
      status: 'AUTHORISED',
      paymentType: invoice.type === 'ACCREC' ? 'ACCRECPAYMENT' : 'ACCPAYPAYMENT',
      updatedDateUTC: at(date, '14:20:00'),
      isReconciled: true,
      currencyRate: 1,
      invoiceNumber: invoice.invoiceNumber,
      account: { accountID: stableId('account:090'), code: '090' },
      invoice: { invoiceID: invoice.invoiceID, invoiceNumber: invoice.invoiceNumber, type: invoice.type, contact: invoice.contact, currencyCode: 'GBP' },
    };
    state.payments.push(payment);
    applyPayment(invoice, payment);
  };

  const i1 = inv('INV-0001', 'ACCREC', 'AUTHORISED', 'bayside', -95, 30, [sale('Discovery workshop', 2, 500)], 'PO-7781');
  pay(i1, -70, 1200, 'BACS Bayside');
  inv('INV-0002', 'ACCREC', 'AUTHORISED', 'citylimo', -75, 30, [sale('Booking system integration', 3, 650, 'CONS-DAY'), sale('Support retainer', 1, 150)]);
  const i3 = inv('INV-0003', 'ACCREC', 'AUTHORISED', 'marine', -60, 30, [sale('Fleet telemetry dashboard, phase 1', 1, 4000)], 'MS-2024-118');
  pay(i3, -40, 1800, 'Part payment');
  inv('INV-0004', 'ACCREC', 'AUTHORISED', 'ridgeway', -40, 30, [sale('Training seat', 4, 200, 'TRAIN-SEAT')], 'RU-PO-55012');
  const i5 = inv('INV-0005', 'ACCREC', 'AUTHORISED', 'hamilton', -55, 14, [sale('Annual licence', 1, 1200, 'LIC-ANNUAL')]);
  pay(i5, -45, 1440);
  inv('INV-0006', 'ACCREC', 'AUTHORISED', 'bayside', -20, 30, [sale('Support retainer', 1, 450, 'SUPPORT-M')]);
  inv('INV-0007', 'ACCREC', 'DRAFT', 'citylimo', -2, 30, [sale('Consulting day', 2, 650, 'CONS-DAY')]);
  // A reference that mentions "error": a normal answer must not be taken for a failure.
  inv('INV-0008', 'ACCREC', 'AUTHORISED', 'ridgeway', -50, 30, [sale('Data migration', 1, 1750)], 'Error correction for INV-0004');
  inv('INV-0009', 'ACCREC', 'DRAFT', 'marine', -1, 30, [sale('Fleet telemetry dashboard, phase 2', 1, 3200)]);
  inv('PD-88231', 'ACCPAY', 'AUTHORISED', 'powerdirect', -35, 30, [cost('Electricity, quarter', 1, 285.42, '445')]);
  const b2 = inv('OS-1187', 'ACCPAY', 'AUTHORISED', 'officesupplies', -30, 20, [cost('Printer paper and toner', 1, 96.5, '461')]);
  pay(b2, -12, 115.8);
  inv('CN-5541', 'ACCPAY', 'AUTHORISED', 'cloudnine', -15, 30, [cost('Managed hosting, monthly', 1, 320, '485')]);

  state.creditNotes.push(
    {
      creditNoteID: stableId('creditnote:CN-0001'),
      creditNoteNumber: 'CN-0001',
      reference: 'Refund: cancelled workshop seat',
      type: 'ACCRECCREDIT',
      status: 'AUTHORISED',
      contact: contactRef('bayside'),
      date: isoDay(now, -25),
      lineAmountTypes: 'Exclusive',
      subTotal: 100,
      totalTax: 20,
      total: 120,
      currencyCode: 'GBP',
      currencyRate: 1,
      updatedDateUTC: at(isoDay(now, -25)),
      remainingCredit: 120,
    },
    {
      creditNoteID: stableId('creditnote:PWR-CR-17'),
      creditNoteNumber: 'PWR-CR-17',
      type: 'ACCPAYCREDIT',
      status: 'AUTHORISED',
      contact: contactRef('powerdirect'),
      date: isoDay(now, -10),
      lineAmountTypes: 'Exclusive',
      subTotal: 25,
      totalTax: 5,
      total: 30,
      currencyCode: 'GBP',
      currencyRate: 1,
      updatedDateUTC: at(isoDay(now, -10)),
      remainingCredit: 30,
    },
  );

  const quote = (n: string, contact: string, status: Quote['status'], dayOffset: number, subTotal: number, title: string): Quote => ({
    quoteID: stableId(`quote:${n}`),
    quoteNumber: n,
    status,
    contact: contactRef(contact),
    dateString: `${isoDay(now, dayOffset)}T00:00:00`,
    expiryDateString: `${isoDay(now, dayOffset + 30)}T00:00:00`,
    title,
    terms: 'Valid for 30 days. Payment due 30 days after invoice.',
    lineAmountTypes: 'EXCLUSIVE',
    subTotal,
    totalTax: subTotal * 0.2,
    total: subTotal * 1.2,
    currencyCode: 'GBP',
    currencyRate: 1,
    updatedDateUTC: at(isoDay(now, dayOffset)),
  });
  state.quotes.push(
    quote('QU-0001', 'ridgeway', 'SENT', -12, 2400, 'Staff training programme'),
    quote('QU-0002', 'hamilton', 'ACCEPTED', -30, 1200, 'Licence renewal'),
    quote('QU-0003', 'marine', 'DRAFT', -3, 5200, 'Telemetry dashboard, phase 3'),
  );
  return state;
}
