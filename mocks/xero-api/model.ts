// The mocks' data model. Field names follow xero-node's models (camelCase), the objects the official
// server's text formatters read; dates are kept as ISO strings ("YYYY-MM-DD", or a full timestamp for
// updatedDateUTC). The API mock sends them in Xero's wire form (wire.ts: PascalCase, "/Date(ms+0000)/").

export interface ContactRef {
  contactID: string;
  name: string;
}

export interface Tracking {
  name: string;
  option: string;
  trackingCategoryID: string;
}

export interface LineItem {
  lineItemID: string;
  description: string;
  quantity: number;
  unitAmount: number;
  itemCode?: string;
  /** Xero returns the item as a nested object when a line has an item code. */
  item?: { itemID: string; name: string; code: string };
  accountCode: string;
  taxType: string;
  taxAmount: number;
  lineAmount: number;
  tracking: Tracking[];
}

export type InvoiceType = 'ACCREC' | 'ACCPAY';
export type InvoiceStatus = 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';

export interface Invoice {
  invoiceID: string;
  invoiceNumber?: string;
  reference?: string;
  type: InvoiceType;
  status: InvoiceStatus;
  contact: ContactRef;
  date: string;
  dueDate: string;
  lineAmountTypes: 'Exclusive' | 'Inclusive' | 'NoTax';
  lineItems: LineItem[];
  subTotal: number;
  totalTax: number;
  total: number;
  currencyCode: string;
  currencyRate: number;
  updatedDateUTC: string;
  fullyPaidOnDate?: string;
  amountDue: number;
  amountPaid: number;
  amountCredited: number;
  hasErrors: boolean;
  isDiscounted: boolean;
}

export interface Contact {
  contactID: string;
  name: string;
  firstName?: string;
  lastName?: string;
  emailAddress?: string;
  contactNumber?: string;
  phones?: Array<{ phoneType: string; phoneNumber: string }>;
  accountsReceivableTaxType?: string;
  accountsPayableTaxType?: string;
  isCustomer: boolean;
  isSupplier: boolean;
  defaultCurrency?: string;
  updatedDateUTC: string;
  contactStatus: 'ACTIVE' | 'ARCHIVED';
  contactGroups?: Array<{ name: string }>;
  hasAttachments: boolean;
  hasValidationErrors: boolean;
}

export interface Payment {
  paymentID: string;
  date: string;
  amount: number;
  reference?: string;
  status: 'AUTHORISED' | 'DELETED';
  paymentType: 'ACCRECPAYMENT' | 'ACCPAYPAYMENT';
  updatedDateUTC: string;
  isReconciled: boolean;
  currencyRate: number;
  invoiceNumber?: string;
  account: { accountID: string; code: string };
  invoice: { invoiceID: string; invoiceNumber?: string; type: InvoiceType; contact: ContactRef; currencyCode: string };
}

export interface Account {
  accountID: string;
  code: string;
  name: string;
  type: string;
  status: 'ACTIVE' | 'ARCHIVED';
  description?: string;
  taxType: string;
  /** Whether payments may be made from this account (bank accounts always). */
  enablePaymentsToAccount: boolean;
}

export interface TaxRate {
  name: string;
  taxType: string;
  status: 'ACTIVE';
  displayTaxRate: number;
  effectiveRate: number;
  taxComponents: Array<{ name: string; rate: number; isCompound: boolean; isNonRecoverable: boolean }>;
  canApplyToAssets: boolean;
  canApplyToEquity: boolean;
  canApplyToExpenses: boolean;
  canApplyToLiabilities: boolean;
  canApplyToRevenue: boolean;
}

export interface Item {
  itemID: string;
  code: string;
  name: string;
  description?: string;
  purchaseDescription?: string;
  salesDetails?: { unitPrice?: number; accountCode?: string; taxType?: string };
  purchaseDetails?: { unitPrice?: number; accountCode?: string; taxType?: string };
  isTrackedAsInventory: boolean;
  isSold: boolean;
  isPurchased: boolean;
  updatedDateUTC: string;
}

export interface CreditNote {
  creditNoteID: string;
  creditNoteNumber: string;
  reference?: string;
  type: 'ACCRECCREDIT' | 'ACCPAYCREDIT';
  status: 'DRAFT' | 'AUTHORISED' | 'PAID';
  contact: ContactRef;
  date: string;
  lineAmountTypes: 'Exclusive';
  subTotal: number;
  totalTax: number;
  total: number;
  currencyCode: string;
  currencyRate: number;
  updatedDateUTC: string;
  remainingCredit: number;
}

export interface Quote {
  quoteID: string;
  quoteNumber: string;
  reference?: string;
  status: 'DRAFT' | 'SENT' | 'ACCEPTED' | 'DECLINED' | 'INVOICED';
  contact: ContactRef;
  /** Xero's DateString form: "YYYY-MM-DDT00:00:00". */
  dateString: string;
  expiryDateString: string;
  title?: string;
  summary?: string;
  terms?: string;
  lineAmountTypes: 'EXCLUSIVE';
  subTotal: number;
  totalTax: number;
  total: number;
  currencyCode: string;
  currencyRate: number;
  updatedDateUTC: string;
}

export interface Organisation {
  organisationID: string;
  name: string;
  legalName: string;
  paysTax: boolean;
  version: string;
  organisationType: string;
  baseCurrency: string;
  countryCode: string;
  isDemoCompany: boolean;
  organisationStatus: string;
  registrationNumber: string;
  taxNumber: string;
  financialYearEndDay: number;
  financialYearEndMonth: number;
  salesTaxBasis: string;
  salesTaxPeriod: string;
  createdDateUTC: string;
  timezone: string;
  organisationEntityType: string;
  shortCode: string;
  _class: string;
  edition: string;
  lineOfBusiness: string;
  addresses: Array<{ addressType: string; addressLine1?: string; addressLine2?: string; city?: string; postalCode?: string; country?: string }>;
  phones: Array<{ phoneType: string; phoneNumber: string }>;
  externalLinks: Array<{ linkType: string; url: string }>;
  paymentTerms: { bills: { day: number; type: string }; sales: { day: number; type: string } };
}

export interface XeroState {
  organisation: Organisation;
  contacts: Contact[];
  accounts: Account[];
  taxRates: TaxRate[];
  items: Item[];
  invoices: Invoice[];
  payments: Payment[];
  creditNotes: CreditNote[];
  quotes: Quote[];
}
