// For the trust tests: a hub served over HTTP with several bearer tokens, and SDK clients that connect
// with one token each and record what reaches them (elicitation, sampling, log messages).
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { ROOT } from './hub.js';

export const RECORDER = path.join(ROOT, 'dist/test/fixtures/recording-server.js');

/** A recording server entry for the config (test/fixtures/recording-server.ts). */
export function recorder(name: string, events: string, env: Record<string, string> = {}) {
  return { command: process.execPath, args: [RECORDER], env: { REC_NAME: name, REC_EVENTS: events, ...env } };
}

export { startHttpHub, type HttpHub } from '../fixtures/raw-hub.js';

export interface TokenClient {
  client: Client;
  /** Messages of elicitation requests that reached this client. */
  elicited: string[];
  /** Prompts of sampling requests that reached this client. */
  sampled: string[];
  /** Data of log messages that reached this client. */
  logs: string[];
  close(): Promise<void>;
}

/** A client with elicitation and sampling, connected with `token`; `sample` answers sampling requests. */
export async function connectAs(url: string, token: string, sample: (prompt: string) => string = () => 'no'): Promise<TokenClient> {
  const client = new Client({ name: 'trust-client', version: '1.0.0' }, { capabilities: { elicitation: {}, sampling: {} } });
  const elicited: string[] = [];
  const sampled: string[] = [];
  const logs: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    elicited.push(request.params.message);
    return { action: 'accept', content: { ok: true, approve: false } };
  });
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    const prompt = [request.params.systemPrompt ?? '', ...request.params.messages.map((m) => ('text' in m.content ? String(m.content.text) : ''))].join('\n');
    sampled.push(prompt);
    return { role: 'assistant', model: 'client-model', content: { type: 'text', text: sample(prompt) } };
  });
  client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => void logs.push(String(n.params.data)));
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return { client, elicited, sampled, logs, close: () => client.close() };
}
