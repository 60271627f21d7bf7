import { describe, expect, it } from 'vitest';
import { redact, redactText, registerConfiguredValue, registerSecret } from '../src/log/redact.js';

describe('redaction', () => {
  it('masks registered secrets anywhere in text and nested values', () => {
    registerSecret('tok-123456789');
    expect(redactText('Authorization failed for tok-123456789!')).toBe('Authorization failed for [REDACTED]!');
    expect(redact({ a: ['x tok-123456789 y'], b: 2 })).toEqual({ a: ['x [REDACTED] y'], b: 2 });
  });

  it('masks values under secret-looking keys even when unregistered', () => {
    expect(redact({ headers: { Authorization: 'Bearer abc', accept: 'json' }, apiKey: 'k', count: 3 })).toEqual({
      headers: { Authorization: '[REDACTED]', accept: 'json' },
      apiKey: '[REDACTED]',
      count: 3,
    });
  });

  it('registers configured values by key or by token shape, not plain words', () => {
    registerConfiguredValue('CLICKUP_API_TOKEN', 'pk_short');
    registerConfiguredValue('MODE', 'production');
    registerConfiguredValue('WEIRD', 'a1b2c3d4e5f6g7h8i9j0');
    expect(redactText('pk_short production a1b2c3d4e5f6g7h8i9j0')).toBe('[REDACTED] production [REDACTED]');
  });
});
