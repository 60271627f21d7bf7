#!/usr/bin/env node
// Starts the mock LLM API on its own: node dist/mocks/llm/cli.js [--port N] [--api-key K] [--responder scenario|echo]
// `scenario` (default) answers as the scripted stand-in for the demo scenario; `echo` repeats the last user message.
import { parseArgs } from 'node:util';
import { startMockLlm } from './index.js';
import { scenarioResponder, STAND_IN_MODEL } from './scenario-planner.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, 'api-key': { type: 'string' }, responder: { type: 'string', default: 'scenario' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`llm mock: --port must be an integer 0-65535, got ${values.port}\n`);
  process.exit(2);
}
if (values.responder !== 'scenario' && values.responder !== 'echo') {
  process.stderr.write(`llm mock: --responder is scenario or echo, got ${values.responder}\n`);
  process.exit(2);
}
const mock = await startMockLlm({ port, apiKey: values['api-key'], responder: values.responder === 'scenario' ? scenarioResponder : undefined });
const key = values['api-key'] ?? 'mock-key';
process.stderr.write(
  `LLM mock listening (OpenAI and Anthropic wire formats, ${values.responder} responder)\n` +
    `OpenAI:    OPENAI_BASE_URL=${mock.url} OPENAI_API_KEY=${key}\n` +
    `Anthropic: ANTHROPIC_BASE_URL=${mock.origin} ANTHROPIC_API_KEY=${key}\n` +
    `config:    llm: {provider: openai, baseURL: ${mock.url}, apiKey: ${key}, model: ${STAND_IN_MODEL}}\n`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void mock.close().then(() => process.exit(0)));
