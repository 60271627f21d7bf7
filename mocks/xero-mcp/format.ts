// Text answers, line for line as the official server builds them (its dist/tools/**/*.tool.js), quirks
// included (the organisation's literal `|| "..."` suffixes, "[object Object]" for nested objects), so a
// client cannot tell the mock from the real thing by its text.
import type { Account, Contact, CreditNote, Invoice, Item, LineItem, Organisation, Payment, Quote, TaxRate } from '../xero-api/model.js';

/**
 * xero-node turns Xero's "/Date(ms+0000)/" values into Date objects, which the official server
 * interpolates as Date#toString(); the mock does the same with its ISO strings.
 */
export const xd = (iso: string | undefined): Date | undefined => (iso ? new Date(Date.parse(iso)) : undefined);

const lines = (parts: Array<string | null | undefined | false>): string => parts.filter(Boolean).join('\n');

// helpers/format-line-item.js
export const formatLineItem = (lineItem: LineItem): string =>
  [
    `Item ID: ${lineItem.item}`,
    `Item Code: ${lineItem.itemCode}`,
    `Description: ${lineItem.description}`,
    `Quantity: ${lineItem.quantity}`,
    `Unit Amount: ${lineItem.unitAmount}`,
    `Account Code: ${lineItem.accountCode}`,
    `Tax Type: ${lineItem.taxType}`,
    `Tracking: ${lineItem.tracking}`,
    `Line Amount: ${lineItem.lineAmount}`,
  ].join('\n');

// tools/list/list-invoices.tool.js
export function formatInvoice(invoice: Invoice, returnLineItems: boolean): string {
  return lines([
    `Invoice ID: ${invoice.invoiceID}`,
    `Invoice: ${invoice.invoiceNumber}`,
    invoice.reference ? `Reference: ${invoice.reference}` : null,
    `Type: ${invoice.type || 'Unknown'}`,
    `Status: ${invoice.status || 'Unknown'}`,
    invoice.contact ? `Contact: ${invoice.contact.name} (${invoice.contact.contactID})` : null,
    invoice.date ? `Date: ${xd(invoice.date)}` : null,
    invoice.dueDate ? `Due Date: ${xd(invoice.dueDate)}` : null,
    invoice.lineAmountTypes ? `Line Amount Types: ${invoice.lineAmountTypes}` : null,
    invoice.subTotal ? `Sub Total: ${invoice.subTotal}` : null,
    invoice.totalTax ? `Total Tax: ${invoice.totalTax}` : null,
    `Total: ${invoice.total || 0}`,
    invoice.currencyCode ? `Currency: ${invoice.currencyCode}` : null,
    invoice.currencyRate ? `Currency Rate: ${invoice.currencyRate}` : null,
    invoice.updatedDateUTC ? `Last Updated: ${xd(invoice.updatedDateUTC)}` : null,
    invoice.fullyPaidOnDate ? `Fully Paid On: ${xd(invoice.fullyPaidOnDate)}` : null,
    invoice.amountDue ? `Amount Due: ${invoice.amountDue}` : null,
    invoice.amountPaid ? `Amount Paid: ${invoice.amountPaid}` : null,
    invoice.amountCredited ? `Amount Credited: ${invoice.amountCredited}` : null,
    invoice.hasErrors ? 'Has Errors: Yes' : null,
    invoice.isDiscounted ? 'Is Discounted: Yes' : null,
    returnLineItems ? `Line Items: ${invoice.lineItems?.map(formatLineItem)}` : null,
  ]);
}

// tools/list/list-contacts.tool.js
export function formatContact(contact: Contact): string {
  return lines([
    `Contact: ${contact.name}`,
    `ID: ${contact.contactID}`,
    contact.firstName ? `First Name: ${contact.firstName}` : null,
    contact.lastName ? `Last Name: ${contact.lastName}` : null,
    contact.emailAddress ? `Email: ${contact.emailAddress}` : 'No email',
    contact.accountsReceivableTaxType ? `AR Tax Type: ${contact.accountsReceivableTaxType}` : null,
    contact.accountsPayableTaxType ? `AP Tax Type: ${contact.accountsPayableTaxType}` : null,
    `Type: ${[contact.isCustomer ? 'Customer' : null, contact.isSupplier ? 'Supplier' : null].filter(Boolean).join(', ') || 'Unknown'}`,
    contact.defaultCurrency ? `Default Currency: ${contact.defaultCurrency}` : null,
    contact.updatedDateUTC ? `Last Updated: ${xd(contact.updatedDateUTC)}` : null,
    `Status: ${contact.contactStatus || 'Unknown'}`,
    contact.contactGroups?.length ? `Groups: ${contact.contactGroups.map((g) => g.name).join(', ')}` : null,
    contact.hasAttachments ? 'Has Attachments: Yes' : null,
    contact.hasValidationErrors ? 'Has Validation Errors: Yes' : null,
  ]);
}

/** The payment as xero-node hands it to the formatter: GET /Payments' nested Invoice has no totals. */
type PaymentView = Payment & { account: Payment['account'] & { name?: string }; invoice: Payment['invoice'] & { total?: number; amountDue?: number } };

// tools/list/list-payments.tool.js paymentFormatter
export function formatPayment(payment: PaymentView): string {
  return lines([
    `Payment ID: ${payment.paymentID || 'Unknown'}`,
    `Date: ${xd(payment.date) || 'Unknown date'}`,
    `Amount: ${payment.amount || 0}`,
    payment.reference ? `Reference: ${payment.reference}` : null,
    payment.status ? `Status: ${payment.status}` : null,
    payment.paymentType ? `Payment Type: ${payment.paymentType}` : null,
    payment.updatedDateUTC ? `Last Updated: ${xd(payment.updatedDateUTC)}` : null,
    payment.account?.name ? `Account: ${payment.account.name} (${payment.account.accountID || 'Unknown ID'})` : null,
    payment.invoice
      ? lines([
          `Invoice:`,
          `  Invoice Number: ${payment.invoice.invoiceNumber || 'Unknown'}`,
          `  Invoice ID: ${payment.invoice.invoiceID || 'Unknown'}`,
          payment.invoice.contact
            ? `  Contact: ${payment.invoice.contact.name || 'Unknown'} (${payment.invoice.contact.contactID || 'Unknown ID'})`
            : null,
          payment.invoice.type ? `  Type: ${payment.invoice.type}` : null,
          payment.invoice.total !== undefined ? `  Total: ${payment.invoice.total}` : null,
          payment.invoice.amountDue !== undefined ? `  Amount Due: ${payment.invoice.amountDue}` : null,
        ])
      : null,
  ]);
}

// tools/list/list-accounts.tool.js
export function formatAccount(account: Account): string {
  return lines([
    `Account: ${account.name || 'Unnamed'}`,
    `Code: ${account.code || 'No code'}`,
    `ID: ${account.accountID || 'No ID'}`,
    `Type: ${account.type || 'Unknown type'}`,
    `Status: ${account.status || 'Unknown status'}`,
    account.description ? `Description: ${account.description}` : null,
    account.taxType ? `Tax Type: ${account.taxType}` : null,
  ]);
}

// tools/list/list-tax-rates.tool.js
export function formatTaxRate(taxRate: TaxRate): string {
  return lines([
    `Tax Rate: ${taxRate.name || 'Unnamed'}`,
    `Tax Type: ${taxRate.taxType || 'No tax type'}`,
    `Status: ${taxRate.status || 'Unknown status'}`,
    `Display Tax Rate: ${taxRate.displayTaxRate || '0.0000'}%`,
    `Effective Rate: ${taxRate.effectiveRate || '0.0000'}%`,
    taxRate.taxComponents?.length
      ? `Tax Components:\n${taxRate.taxComponents
          .map((c) => `  - ${c.name}: ${c.rate}%${c.isCompound ? ' (Compound)' : ''}${c.isNonRecoverable ? ' (Non-recoverable)' : ''}`)
          .join('\n')}`
      : null,
    `Can Apply To:${[
      taxRate.canApplyToAssets ? ' Assets' : '',
      taxRate.canApplyToEquity ? ' Equity' : '',
      taxRate.canApplyToExpenses ? ' Expenses' : '',
      taxRate.canApplyToLiabilities ? ' Liabilities' : '',
      taxRate.canApplyToRevenue ? ' Revenue' : '',
    ].join('')}`,
  ]);
}

// tools/list/list-items.tool.js
export function formatItem(item: Item): string {
  return lines([
    `Item: ${item.name || 'Unnamed'}`,
    `ID: ${item.itemID}`,
    `Code: ${item.code}`,
    item.description ? `Description: ${item.description}` : null,
    item.purchaseDescription ? `Purchase Description: ${item.purchaseDescription}` : null,
    item.salesDetails?.unitPrice !== undefined ? `Sales Price: ${item.salesDetails.unitPrice}` : null,
    item.purchaseDetails?.unitPrice !== undefined ? `Purchase Price: ${item.purchaseDetails.unitPrice}` : null,
    item.salesDetails?.accountCode ? `Sales Account: ${item.salesDetails.accountCode}` : null,
    item.purchaseDetails?.accountCode ? `Purchase Account: ${item.purchaseDetails.accountCode}` : null,
    item.isTrackedAsInventory !== undefined ? `Tracked as Inventory: ${item.isTrackedAsInventory ? 'Yes' : 'No'}` : null,
    item.isSold !== undefined ? `Is Sold: ${item.isSold ? 'Yes' : 'No'}` : null,
    item.isPurchased !== undefined ? `Is Purchased: ${item.isPurchased ? 'Yes' : 'No'}` : null,
    item.updatedDateUTC ? `Last Updated: ${xd(item.updatedDateUTC)}` : null,
  ]);
}

// tools/list/list-credit-notes.tool.js
export function formatCreditNote(creditNote: CreditNote): string {
  return lines([
    `Credit Note ID: ${creditNote.creditNoteID}`,
    `Credit Note Number: ${creditNote.creditNoteNumber}`,
    creditNote.reference ? `Reference: ${creditNote.reference}` : null,
    `Type: ${creditNote.type || 'Unknown'}`,
    `Status: ${creditNote.status || 'Unknown'}`,
    creditNote.contact ? `Contact: ${creditNote.contact.name} (${creditNote.contact.contactID})` : null,
    creditNote.date ? `Date: ${xd(creditNote.date)}` : null,
    creditNote.lineAmountTypes ? `Line Amount Types: ${creditNote.lineAmountTypes}` : null,
    creditNote.subTotal ? `Sub Total: ${creditNote.subTotal}` : null,
    creditNote.totalTax ? `Total Tax: ${creditNote.totalTax}` : null,
    `Total: ${creditNote.total || 0}`,
    creditNote.currencyCode ? `Currency: ${creditNote.currencyCode}` : null,
    creditNote.currencyRate ? `Currency Rate: ${creditNote.currencyRate}` : null,
    creditNote.updatedDateUTC ? `Last Updated: ${xd(creditNote.updatedDateUTC)}` : null,
  ]);
}

// tools/list/list-quotes.tool.js
export function formatQuote(quote: Quote): string {
  return lines([
    `Quote ID: ${quote.quoteID}`,
    `Quote Number: ${quote.quoteNumber}`,
    quote.reference ? `Reference: ${quote.reference}` : null,
    `Status: ${quote.status || 'Unknown'}`,
    quote.contact ? `Contact: ${quote.contact.name} (${quote.contact.contactID})` : null,
    quote.dateString ? `Quote Date: ${quote.dateString}` : null,
    quote.expiryDateString ? `Expiry Date: ${quote.expiryDateString}` : null,
    quote.title ? `Title: ${quote.title}` : null,
    quote.summary ? `Summary: ${quote.summary}` : null,
    quote.terms ? `Terms: ${quote.terms}` : null,
    quote.lineAmountTypes ? `Line Amount Types: ${quote.lineAmountTypes}` : null,
    quote.subTotal ? `Sub Total: ${quote.subTotal}` : null,
    quote.totalTax ? `Total Tax: ${quote.totalTax}` : null,
    `Total: ${quote.total || 0}`,
    quote.currencyCode ? `Currency: ${quote.currencyCode}` : null,
    quote.currencyRate ? `Currency Rate: ${quote.currencyRate}` : null,
    quote.updatedDateUTC ? `Last Updated: ${xd(quote.updatedDateUTC)}` : null,
  ]);
}

// tools/list/list-organisation-details.tool.js (its `|| "..."` sits inside the template string upstream)
export function formatOrganisation(organisation: Organisation): string {
  const resolvedExternalLinks =
    organisation.externalLinks?.map((link, index) => `${index + 1}. ${link.linkType}: ${link.url ? encodeURIComponent(link.url) : link.url}`) || [];
  const addresses =
    organisation.addresses
      ?.map(
        (address, index) =>
          `Address ${index + 1} (${address.addressType || ''}): ${[address.addressLine1, address.addressLine2, address.city, address.postalCode, address.country]
            .filter(Boolean)
            .join(', ')}`,
      )
      .join('\n') || 'No addresses available.';
  const paymentTerms = organisation.paymentTerms
    ? Object.entries(organisation.paymentTerms)
        .map(([key, value], index) => `${index + 1}. ${key}: ${value}`)
        .join('\n')
    : 'No payment terms available.';
  const phones =
    organisation.phones?.map((phone, index) => `Phone ${index + 1}: ${phone.phoneType || 'Unknown type'} - ${phone.phoneNumber || 'No number'}`).join('\n') ||
    'No phone numbers available.';
  return lines([
    `Name: ${organisation.name} || "No name available."`,
    `Legal Name: ${organisation.legalName} || "No legal name available."`,
    `Pays Tax: ${organisation.paysTax ? 'Yes' : 'No'}`,
    `Short Code: ${organisation.shortCode} || "No short code available."`,
    `Organisation ID: ${organisation.organisationID} || "No organisation ID available."`,
    `Version: ${organisation.version} || "No version available."`,
    organisation.organisationType ? `Organisation Type: ${organisation.organisationType}` : null,
    `Base Currency: ${organisation.baseCurrency} || "No base currency available."`,
    `Country Code: ${organisation.countryCode} || "No country code available."`,
    `Timezone: ${organisation.timezone} || "No timezone available."`,
    organisation.registrationNumber ? `Registration Number: ${organisation.registrationNumber}` : null,
    organisation.taxNumber ? `Tax Number: ${organisation.taxNumber}` : null,
    organisation.organisationEntityType ? `Organisation Entity Type: ${organisation.organisationEntityType}` : null,
    `Financial Year End Day: ${organisation.financialYearEndDay} || "No financial year end day set."`,
    `Financial Year End Month: ${organisation.financialYearEndMonth} || "No financial year end month set."`,
    `Sales Tax Basis: ${organisation.salesTaxBasis} || "No sales tax basis available."`,
    `Sales Tax Period: ${organisation.salesTaxPeriod} || "No sales tax period available."`,
    organisation.organisationStatus ? `Organisation Status: ${organisation.organisationStatus}` : null,
    `Created Date: ${xd(organisation.createdDateUTC)} || "No created date available."`,
    `Edition: ${organisation.edition} || "No edition available."`,
    `Class: ${organisation._class} || "No class available."`,
    `Is Demo Company: ${organisation.isDemoCompany ? 'Yes' : 'No'}`,
    organisation.lineOfBusiness ? `Line of Business: ${organisation.lineOfBusiness}` : null,
    `Addresses:\n${addresses}`,
    `Phone Numbers:\n${phones}`,
    `External Links:\n${resolvedExternalLinks.join('\n')}`,
    `Payment Terms:\n${paymentTerms}`,
  ]);
}

// consts/deeplinks.js (the leading space of the invoice and contact links is upstream's)
export const deepLinks = {
  invoice: (shortCode: string, id: string) => ` https://go.xero.com/app/${shortCode}/invoicing/view/${id}`,
  bill: (shortCode: string, id: string) =>
    `https://go.xero.com/organisationlogin/default.aspx?shortcode=${shortCode}&redirecturl=/AccountsPayable/Edit.aspx?InvoiceID=${id}`,
  contact: (shortCode: string, id: string) => ` https://go.xero.com/app/${shortCode}/contacts/contact/${id}`,
  payment: (shortCode: string, id: string) =>
    `https://go.xero.com/organisationlogin/default.aspx?shortcode=${shortCode}&redirecturl=/Bank/ViewTransaction.aspx?bankTransactionID=${id}`,
};
