// Who we are on the npm registry: the package root (found from here, compiled or as source), its name and version.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The package root, found from here whether this runs compiled (dist/src/cli) or as source (src/cli, in tests). */
function packageRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const PACKAGE_ROOT = packageRoot(import.meta.dirname);

/** The npm package name (the binary is `mcp-orchestrator`; `mcp-orchestrator` on the registry is someone else's). */
export const PACKAGE_NAME = 'mcp-orchestrator-hub';
export const BIN = 'mcp-orchestrator';

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
