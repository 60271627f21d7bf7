// Watches the config file and hands over each valid edit; an invalid edit is reported and the
// running config stays. The directory is watched, not the file, because editors save by rename.
import { watch, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log/logger.js';
import { parseConfig, type LoadedConfig } from './load.js';

export function watchConfig(file: string, onChange: (loaded: LoadedConfig) => void, log: Logger, debounceMs = 150): () => void {
  let last = existsSync(file) ? readFileSync(file, 'utf8') : '';
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    if (text === last) return;
    last = text;
    try {
      const loaded = parseConfig(text, file);
      log.info('config changed; applying', { file });
      onChange(loaded);
    } catch (err) {
      log.error('config edit rejected; keeping the running configuration', { file, error: (err as Error).message });
    }
  };
  const watcher = watch(path.dirname(file), (_event, name) => {
    if (name && name !== path.basename(file)) return;
    clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
  });
  watcher.on('error', (err) => log.warn('config watcher stopped', { error: err.message }));
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
