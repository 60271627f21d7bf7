// detectPlainTextError against the official Xero MCP server's own texts: its failure templates are read
// from its installed source, so a new tool or a reworded message in an upgrade shows up here.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectPlainTextError, XERO_ERROR_PATTERNS } from '../src/catalog/plain-text-errors.js';
import { ROOT } from './support/hub.js';

const XERO_TOOLS_DIR = path.join(ROOT, 'node_modules/@xeroapi/xero-mcp-server/dist/tools');
const answer = (...texts: string[]) => ({ content: texts.map((text) => ({ type: 'text', text })) });

function officialFailurePrefixes(): string[] {
  const prefixes = new Set<string>();
  for (const dir of readdirSync(XERO_TOOLS_DIR, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const file of readdirSync(path.join(XERO_TOOLS_DIR, dir.name))) {
      if (!file.endsWith('.js')) continue;
      const source = readFileSync(path.join(XERO_TOOLS_DIR, dir.name, file), 'utf8');
      // e.g. text: `Error listing invoices: ${response.error}`,
      for (const m of source.matchAll(/text: `(Error [^`$]*?): \$\{/g)) prefixes.add(m[1]);
    }
  }
  return [...prefixes].sort();
}

// Details the official server puts after the prefix (clients/xero-client.js, helpers/format-error.js).
const DETAILS = [
  'Failed to get Xero token with V1 scopes: {"error":"invalid_client"}',
  'Failed to get Xero token with V1 scopes: getaddrinfo ENOTFOUND identity.xero.com',
  'Failed to get Xero token with XERO_SCOPES: {"error":"invalid_scope"}',
  'Authentication failed. Please check your Xero credentials.',
  "You don't have permission to access this resource in Xero.",
  'The requested resource was not found in Xero.',
  'Too many requests to Xero. Please try again in a moment.',
  'An unexpected error occurred while communicating with Xero.',
  'Cannot update invoice because it is not a draft. Current status: AUTHORISED',
  'Failed to get Organisation short code: Failed to retrieve organisation',
];

describe('detectPlainTextError with XERO_ERROR_PATTERNS', () => {
  const prefixes = officialFailurePrefixes();

  it('finds the failure templates in the official source', () => {
    // 51 tools; a few share a prefix ("Error creating contact") or reuse another's.
    expect(prefixes.length).toBeGreaterThanOrEqual(45);
    expect(prefixes).toContain('Error listing invoices');
    expect(prefixes).toContain('Error fetching organisation details');
    expect(prefixes).toContain('Error while creating tracking options');
  });

  it('flags every official failure prefix with every official detail', () => {
    for (const prefix of prefixes) {
      for (const detail of DETAILS) {
        const text = `${prefix}: ${detail}`;
        expect(detectPlainTextError(answer(text), XERO_ERROR_PATTERNS), text).toBe(text);
      }
    }
  });

  it('leaves normal answers alone, including ones that mention errors in their data', () => {
    const normal = [
      answer('Found 2 invoices:', 'Invoice ID: 1\nInvoice: INV-0008\nReference: Error correction for INV-0004\nType: ACCREC'),
      answer('Found 1 contacts:', 'Contact: Error Listing Services Ltd\nID: 42'),
      answer('Invoice created successfully:\nID: 7\nContact: Error creating invoices: the band\nType: ACCREC'),
      answer('Contact created: Error Handling Ltd (ID: 9)'),
      answer('Organisation Details:', 'Name: Acme Ltd || "No name available."'),
      answer('No organisation details found.'),
      answer('Report Name: Aged Receivables By Contact', 'Report Date: 1 May 2025', 'Showing all relevant invoices', '[]'),
      answer('Profit and Loss Report: Profit and Loss', 'Date Range: 1 May 2025'),
      answer('Error rate report: 0 errors this month'),
      { content: [{ type: 'image' }, { type: 'text', text: 'Found 0 invoices:' }] },
      { content: [] },
      {},
    ];
    for (const result of normal) expect(detectPlainTextError(result, XERO_ERROR_PATTERNS), JSON.stringify(result)).toBeUndefined();
  });

  it('only reads the first text block', () => {
    const result = answer('Found 1 invoices:', 'Error listing invoices: this is an invoice field, not the answer');
    expect(detectPlainTextError(result, XERO_ERROR_PATTERNS)).toBeUndefined();
    const afterImage = { content: [{ type: 'image' }, { type: 'text', text: 'Error listing invoices: An unexpected error occurred while communicating with Xero.' }] };
    expect(detectPlainTextError(afterImage, XERO_ERROR_PATTERNS)).toBe('Error listing invoices: An unexpected error occurred while communicating with Xero.');
  });

  it('has nothing to detect when the result is already an error, or without patterns', () => {
    const text = 'Error listing invoices: Authentication failed. Please check your Xero credentials.';
    expect(detectPlainTextError({ ...answer(text), isError: true }, XERO_ERROR_PATTERNS)).toBeUndefined();
    expect(detectPlainTextError(answer(text), [])).toBeUndefined();
  });

  it('is not thrown off by global patterns', () => {
    const sticky = [/^Error listing [a-z]+: /g];
    const text = 'Error listing invoices: Authentication failed. Please check your Xero credentials.';
    expect(detectPlainTextError(answer(text), sticky)).toBe(text);
    expect(detectPlainTextError(answer(text), sticky)).toBe(text);
  });
});
