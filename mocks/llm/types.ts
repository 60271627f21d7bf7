// What a test scripts the mock LLM with, and what the mock records: requests of both wire formats
// normalised to one shape, so a responder works for OpenAI and Anthropic clients alike.
import type http from 'node:http';

export type Api = 'openai' | 'anthropic';

export interface MockToolCall {
  name: string;
  /** An object, or raw argument text (to send arguments that are not valid JSON). */
  arguments: Record<string, unknown> | string;
}

/** An answer: text and/or tool calls. */
export interface AnswerReply {
  text?: string;
  toolCalls?: MockToolCall[];
  /** Model name in the answer; default: the requested model. */
  model?: string;
  /** Token counts in the answer; default: estimated from the text lengths (4 characters a token). */
  usage?: { input?: number; output?: number };
  /** `length`: the answer was cut at max tokens (finish_reason length / stop_reason max_tokens). */
  finish?: 'stop' | 'length';
  /** Wait this long before answering (a slow model). */
  delayMs?: number;
}

export type FaultReply =
  /** 429 with retry-after (seconds). */
  | { fault: 'rate-limit'; retryAfterSec?: number }
  /** 500 by default; 503, or 529 (Anthropic's overloaded). */
  | { fault: 'server'; status?: 500 | 502 | 503 | 529 }
  /** 401: the key is refused. */
  | { fault: 'auth' }
  /** 404: the model does not exist. */
  | { fault: 'model-not-found' }
  | { fault: 'bad-request'; message?: string }
  /** Never answers; the connection stays open until the client gives up. */
  | { fault: 'hang' };

/** A bare string is a text answer. */
export type Reply = string | AnswerReply | FaultReply;

export interface LlmMockRequest {
  api: Api;
  model: string;
  stream: boolean;
  system?: string;
  /** Text of each message (content parts joined). */
  messages: Array<{ role: string; content: string }>;
  tools: Array<{ name: string; description: string; inputSchema: Record<string, unknown> }>;
  /** `auto`, `required`, `none`, or the name of the tool the client forces. */
  toolChoice?: string;
  /** JSON mode asked (OpenAI response_format json_object / json_schema). */
  json: boolean;
  maxTokens?: number;
  temperature?: number;
  /** The request as sent. */
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

export type Responder = (request: LlmMockRequest) => Reply | Promise<Reply>;

export const reply = {
  text: (text: string, extra: Omit<AnswerReply, 'text'> = {}): AnswerReply => ({ text, ...extra }),
  toolCall: (name: string, args: Record<string, unknown> | string, extra: Omit<AnswerReply, 'toolCalls'> = {}): AnswerReply => ({
    toolCalls: [{ name, arguments: args }],
    ...extra,
  }),
  rateLimit: (retryAfterSec = 1): FaultReply => ({ fault: 'rate-limit', retryAfterSec }),
  serverError: (status: 500 | 502 | 503 | 529 = 500): FaultReply => ({ fault: 'server', status }),
  auth: (): FaultReply => ({ fault: 'auth' }),
  hang: (): FaultReply => ({ fault: 'hang' }),
};

export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
