// "Port in use": which process holds it, when that is cheap to find (Linux /proc, same user), so the
// message can name it; elsewhere the message says how to look.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The process listening on `port`, e.g. `pid 1234 (node dist/src/cli.js serve --http)`, or undefined. */
export function whoListens(port: number): string | undefined {
  try {
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      if (!existsSync(table)) continue;
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        // local_address is HEXIP:HEXPORT; state 0A is LISTEN; column 9 is the socket's inode.
        if (cols.length > 9 && cols[3] === '0A' && parseInt(cols[1].split(':')[1] ?? '', 16) === port) inodes.add(cols[9]);
      }
    }
    if (inodes.size === 0) return undefined;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        let link: string;
        try {
          link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
        if (inode && inodes.has(inode)) {
          let command = '';
          try {
            command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
          } catch {
            // gone, or not ours to read
          }
          return `pid ${pid}${command ? ` (${command.length > 120 ? `${command.slice(0, 117)}...` : command})` : ''}`;
        }
      }
    }
  } catch {
    // not Linux, or /proc not readable: say how to look instead
  }
  return undefined;
}

/** The whole message for EADDRINUSE: which address, who holds it (if found), and which flag or key changes it. */
export function portInUseMessage(host: string, port: number, setting: string): string {
  const holder = whoListens(port);
  const find = process.platform === 'win32' ? `netstat -ano | findstr :${port}` : `lsof -i :${port}`;
  return [
    `port ${port} on ${host} is already in use${holder ? ` by ${holder}` : ''}.`,
    `Stop ${holder ? 'that process' : `whatever listens there (find it with: ${find})`}, or choose another port with ${setting} (0 picks a free one).`,
  ].join('\n');
}
