// identity.xero.com's token endpoint for a custom connection (client_credentials) and api.xero.com's
// /connections, with the bearer tokens they issue. A custom connection is tied to one organisation.
import { randomBytes, randomUUID } from 'node:crypto';
import { oauthError, tokenExpired, unauthorized, type HttpAnswer } from './errors.js';
import { stableId } from './ledger.js';
import type { XeroState } from './model.js';

/** The broad scopes apps created before Xero's granular scopes hold (the official server's V1 set). */
export const BROAD_SCOPES = ['accounting.transactions', 'accounting.contacts', 'accounting.settings', 'accounting.reports.read', 'payroll.settings', 'payroll.employees', 'payroll.timesheets'];
/** The granular scopes new apps hold (the official server's V2 set). */
export const GRANULAR_SCOPES = [
  'accounting.invoices', 'accounting.payments', 'accounting.banktransactions', 'accounting.manualjournals',
  'accounting.reports.aged.read', 'accounting.reports.balancesheet.read', 'accounting.reports.profitandloss.read', 'accounting.reports.trialbalance.read',
  'accounting.contacts', 'accounting.settings', 'payroll.settings', 'payroll.employees', 'payroll.timesheets',
];

/** Xero's access tokens live 30 minutes. */
export const TOKEN_LIFETIME_SEC = 1800;

export interface IdentityOptions {
  clientId: string;
  clientSecret: string;
  /** The scopes the app may ask for; any other scope is refused with invalid_scope. */
  scopes: string[];
}

interface IssuedToken {
  clientId: string;
  scope: string[];
  expiresAt: number;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

export class Identity {
  private readonly tokens = new Map<string, IssuedToken>();
  /** When the connection was made: the organisation's connection dates stay the same for the mock's life. */
  private readonly connectedAt = new Date().toISOString();
  private readonly authEventId = randomUUID();

  constructor(
    readonly options: IdentityOptions,
    private readonly state: () => XeroState,
  ) {}

  /** The one tenant this connection reaches: the organisation (its tenantId is the OrganisationID, as in Xero). */
  get tenantId(): string {
    return this.state().organisation.organisationID;
  }

  /** POST /connect/token: client_credentials with HTTP Basic client authentication. */
  token(authorization: string | undefined, form: Record<string, string> | undefined): HttpAnswer {
    const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    const [id, secret] = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(/:(.*)/s) : [form?.client_id, form?.client_secret];
    if (id !== this.options.clientId || secret !== this.options.clientSecret) return oauthError('invalid_client');
    if (!form?.grant_type) return oauthError('invalid_request');
    if (form.grant_type !== 'client_credentials') return oauthError('unsupported_grant_type');
    // No scope asked: the token carries every scope the app holds.
    const asked = (form.scope ?? '').split(/\s+/).filter(Boolean);
    if (asked.some((s) => !this.options.scopes.includes(s))) return oauthError('invalid_scope');
    const scope = asked.length ? asked : this.options.scopes;
    const now = Math.floor(Date.now() / 1000);
    // A JWT shaped like Xero's (RS256 header, Xero's claims); the signature is random bytes, checked by lookup.
    const header = { alg: 'RS256', kid: '1CAF8A24ECF9C9F1E6A0DB9E6B1C1E0B1A3F9A7C', typ: 'JWT', x5t: 'HK-KJOz5yfHmoNuea8ceCxo_mnw' };
    const payload = {
      nbf: now,
      exp: now + TOKEN_LIFETIME_SEC,
      iss: 'https://identity.xero.com',
      aud: 'https://identity.xero.com/resources',
      client_id: this.options.clientId,
      jti: randomBytes(16).toString('hex').toUpperCase(),
      iat: now,
      authentication_event_id: this.authEventId,
      scope,
    };
    const accessToken = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${base64url(randomBytes(256))}`;
    this.tokens.set(accessToken, { clientId: this.options.clientId, scope, expiresAt: (now + TOKEN_LIFETIME_SEC) * 1000 });
    return { status: 200, body: { access_token: accessToken, expires_in: TOKEN_LIFETIME_SEC, token_type: 'Bearer', scope: scope.join(' ') } };
  }

  /** Checks an `Authorization: Bearer ...` header: undefined when the token is good, else Xero's 401. */
  checkBearer(authorization: string | undefined): HttpAnswer | undefined {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const issued = bearer ? this.tokens.get(bearer[1]) : undefined;
    if (!issued) return unauthorized();
    if (Date.now() >= issued.expiresAt) return tokenExpired(issued.expiresAt);
    return undefined;
  }

  /** Drops every issued token (as if the connection's tokens were revoked). */
  revokeAll(): void {
    this.tokens.clear();
  }

  /** GET /connections: the organisation this custom connection is tied to. */
  connections(): HttpAnswer {
    // Xero writes these stamps with 7 fractional digits and no zone: "2019-12-07T18:46:19.5165400".
    const stamp = this.connectedAt.replace(/\.(\d{3})Z$/, '.$10000');
    const org = this.state().organisation;
    return {
      status: 200,
      body: [{ id: stableId(`connection:${org.organisationID}`), authEventId: this.authEventId, tenantId: org.organisationID, tenantType: 'ORGANISATION', tenantName: org.name, createdDateUtc: stamp, updatedDateUtc: stamp }],
    };
  }
}
