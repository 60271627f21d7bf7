// The CLI's wording of messages written for MCP clients.
import { BIN } from './package.js';

/**
 * Messages written for MCP clients name MCP methods and meta-tools; on the command line the same hint
 * names the command that does it. Also drops a repeated "MCP error -32600: " prefix.
 */
export function cliHints(text: string): string {
  return text
    .replace(/(MCP error -?\d+: )(?:\1)+/g, '$1')
    .replace(/\(list_workflows shows them\)/g, `(\`${BIN} workflows list\` shows them)`)
    .replace(/\blist_workflows\b(?= shows| lists)/g, `\`${BIN} workflows list\``)
    .replace(/\bsearch_tools finds them\b/g, `\`${BIN} search "<what it does>"\` finds them`)
    .replace(/\(describe_tool shows it\)/g, `(\`${BIN} tools --json\` shows it)`)
    .replace(/\btools\/list\b/g, `\`${BIN} tools\``)
    .replace(/\bhub_status shows\b/g, `\`${BIN} doctor\` shows`);
}
