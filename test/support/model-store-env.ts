// Every test file starts with an empty model store (MCP_ORCHESTRATOR_MODELS), as on a machine where
// `npm run models:fetch` never ran: the hubs the suite starts with default routing settings behave the
// same whether or not this machine has a model, and search stays lexical where tests expect it.
// The real store stays known as MCP_ORCHESTRATOR_REAL_MODELS, for test/real-model.test.ts.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { storeRoot } from '../../src/routing/model-store.js';

if (!process.env.MCP_ORCHESTRATOR_REAL_MODELS) {
  process.env.MCP_ORCHESTRATOR_REAL_MODELS = storeRoot();
  process.env.MCP_ORCHESTRATOR_MODELS = mkdtempSync(path.join(os.tmpdir(), 'mcpo-empty-models-'));
}
