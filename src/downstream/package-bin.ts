// `package:` servers: an npm package's bin, found the way Node finds packages (node_modules folders
// from the config's folder upwards, then from the hub's own install upwards), so a config works
// wherever npm put the package, hoisted or not. The hub's own package finds its own servers.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export class PackageNotFoundError extends Error {
  constructor(readonly pkg: string, message: string) {
    super(message);
    this.name = 'PackageNotFoundError';
  }
}

function* upwards(from: string): Generator<string> {
  let dir = path.resolve(from);
  for (;;) {
    yield dir;
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/** The folder of an installed package, searched from each start folder upwards. */
export function findPackage(pkg: string, starts: string[]): string | undefined {
  for (const start of starts) {
    for (const dir of upwards(start)) {
      if (existsSync(path.join(dir, 'node_modules', pkg, 'package.json'))) return path.join(dir, 'node_modules', pkg);
      const own = path.join(dir, 'package.json');
      if (existsSync(own) && readName(own) === pkg) return dir;
    }
  }
  return undefined;
}

function readName(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** The script of a package's bin (the named one, or its only/first one), resolved from baseDir or the hub's install. */
export function packageBin(pkg: string, bin: string | undefined, baseDir: string, server: string): string {
  const root = findPackage(pkg, [baseDir, import.meta.dirname]);
  if (!root) throw new PackageNotFoundError(pkg, `package "${pkg}" of servers.${server} is not installed: npm install ${pkg} (beside the config, or globally beside the hub)`);
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const bins = typeof manifest.bin === 'string' ? { [pkg.split('/').at(-1)!]: manifest.bin } : (manifest.bin ?? {});
  const script = bin ? bins[bin] : Object.values(bins)[0];
  if (!script) {
    const names = Object.keys(bins);
    throw new PackageNotFoundError(pkg, `package "${pkg}" of servers.${server} has no bin${bin ? ` "${bin}"` : ''}${names.length ? `; it has ${names.join(', ')} (set servers.${server}.bin)` : ''}`);
  }
  return path.join(root, script);
}
