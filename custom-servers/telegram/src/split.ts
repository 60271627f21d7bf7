// Splits text longer than Telegram's 4096-character limit into several messages. Cuts prefer paragraph,
// then line, then word boundaries, never fall inside an HTML tag, an &entity; or a Markdown escape or link,
// and when a cut falls inside formatting (a <pre> block, *bold*, a ``` fence) the chunk closes it and
// the next chunk reopens it, so every part parses on its own.

export type ParseMode = 'Markdown' | 'MarkdownV2' | 'HTML';
export const TEXT_LIMIT = 4096;

/** Formatting open at some position: what closes it at the end of a chunk and reopens it in the next. */
interface Frame {
  name: string;
  open: string;
  close: string;
}

interface Scan {
  /** unsafe[i] = 1 when a cut before index i would fall inside an atom (tag, entity, escape, link). */
  unsafe: Uint8Array;
  /** Open formatting before index i; arrays are shared between positions and never mutated. */
  frames: Frame[][];
}

export function splitMessage(text: string, parseMode?: ParseMode, limit = TEXT_LIMIT): string[] {
  if (text.length <= limit) return [text];
  const scan = parseMode === 'HTML' ? scanHtml(text) : parseMode === 'MarkdownV2' ? scanMarkdown(text, true) : parseMode === 'Markdown' ? scanMarkdown(text, false) : scanPlain(text);
  const chunks: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    const reopen = scan.frames[pos].map((f) => f.open).join('');
    const fits = (cut: number) => reopen.length + (cut - pos) + closing(scan.frames[cut]).length <= limit;
    if (reopen.length + (text.length - pos) <= limit) {
      pushChunk(chunks, reopen + text.slice(pos));
      break;
    }
    const { cut, next } = chooseCut(text, pos, scan, fits, limit - reopen.length);
    pushChunk(chunks, reopen + text.slice(pos, cut) + closing(scan.frames[cut]));
    pos = next;
  }
  return chunks;
}

const closing = (frames: Frame[]) => frames.map((f) => f.close).reverse().join('');

/** Telegram refuses whitespace-only messages, so a cut that leaves nothing but blanks sends nothing. */
function pushChunk(chunks: string[], chunk: string): void {
  if (chunk.trim()) chunks.push(chunk);
}

/** Latest cut that fits, at the best boundary available in the second half of the window. */
function chooseCut(text: string, pos: number, scan: Scan, fits: (cut: number) => boolean, room: number): { cut: number; next: number } {
  const maxEnd = Math.min(text.length, pos + room);
  const minCut = pos + Math.floor(room / 2);
  for (const sep of ['\n\n', '\n', ' ']) {
    for (let at = text.lastIndexOf(sep, maxEnd - 1); at >= minCut; at = text.lastIndexOf(sep, at - 1)) {
      if (!scan.unsafe[at] && fits(at)) return { cut: at, next: at + sep.length };
    }
  }
  // No boundary in reach (one huge word or line): cut at the last safe position that fits.
  for (let at = maxEnd; at > pos; at--) {
    if (!scan.unsafe[at] && fits(at)) return { cut: at, next: at };
  }
  // Only reachable with a single atom longer than the limit; cut it rather than loop forever.
  return { cut: maxEnd, next: maxEnd };
}

function scanPlain(text: string): Scan {
  const none: Frame[] = [];
  return { unsafe: surrogateCuts(text), frames: new Array(text.length + 1).fill(none) };
}

/** Never cut between the two halves of a surrogate pair (emoji and other astral characters). */
function surrogateCuts(text: string): Uint8Array {
  const unsafe = new Uint8Array(text.length + 1);
  for (let i = 1; i < text.length; i++) if (isLowSurrogate(text.charCodeAt(i)) && isHighSurrogate(text.charCodeAt(i - 1))) unsafe[i] = 1;
  return unsafe;
}

/** Formatting per position, filled in by a scanner; gaps are filled forward at the end. */
const emptyFrames = (text: string): Frame[][] => new Array(text.length + 1);

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

function markAtom(unsafe: Uint8Array, start: number, end: number): void {
  for (let i = start + 1; i < end; i++) unsafe[i] = 1;
}

function scanHtml(text: string): Scan {
  const unsafe = surrogateCuts(text);
  const frames = emptyFrames(text);
  let open: Frame[] = [];
  for (let i = 0; i < text.length; ) {
    frames[i] = open;
    if (text[i] === '<') {
      const end = text.indexOf('>', i);
      if (end < 0) break;
      markAtom(unsafe, i, end + 1);
      const tag = text.slice(i, end + 1);
      const name = (/^<\/?\s*([a-z-]+)/i.exec(tag)?.[1] ?? '').toLowerCase();
      if (tag.startsWith('</')) {
        const at = open.map((f) => f.name).lastIndexOf(name);
        if (at >= 0) open = open.slice(0, at);
      } else if (name) open = [...open, { name, open: tag, close: `</${name}>` }];
      for (let j = i + 1; j <= end; j++) frames[j] = open;
      i = end + 1;
      continue;
    }
    if (text[i] === '&') {
      const m = /^&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});/i.exec(text.slice(i, i + 12));
      if (m) {
        markAtom(unsafe, i, i + m[0].length);
        for (let j = i + 1; j < i + m[0].length; j++) frames[j] = open;
        i += m[0].length;
        continue;
      }
    }
    i++;
  }
  frames[text.length] ??= open;
  fillForward(frames);
  return { unsafe, frames };
}

/** Toggle markers, longest first so `__` is not read as two `_`. Legacy Markdown has only * and _. */
const V2_MARKERS = ['||', '__', '*', '_', '~'];
const V1_MARKERS = ['*', '_'];

function scanMarkdown(text: string, v2: boolean): Scan {
  const unsafe = surrogateCuts(text);
  const frames = emptyFrames(text);
  let open: Frame[] = [];
  const markers = v2 ? V2_MARKERS : V1_MARKERS;
  const inCode = () => open.some((f) => f.name === '```' || f.name === '`');
  for (let i = 0; i < text.length; ) {
    frames[i] = open;
    const c = text[i];
    const setRange = (end: number) => {
      for (let j = i + 1; j <= end && j <= text.length; j++) frames[j] = open;
    };
    // An escape is one atom; legacy Markdown only escapes _ * ` [ outside code.
    if (c === '\\' && i + 1 < text.length && (v2 || (!inCode() && '_*`['.includes(text[i + 1])))) {
      markAtom(unsafe, i, i + 2);
      setRange(i + 1);
      i += 2;
      continue;
    }
    if (c === '`') {
      const fence = text.startsWith('```', i) ? '```' : '`';
      const top = open.at(-1);
      if (top?.name === fence) {
        open = open.slice(0, -1);
      } else if (!inCode()) {
        let opener = fence;
        if (fence === '```') {
          // Keep the language line with the fence so a reopened block is highlighted the same way.
          const lang = /^```([\w+-]*)\n/.exec(text.slice(i, i + 40));
          if (lang) opener = lang[0];
        }
        markAtom(unsafe, i, i + opener.length);
        open = [...open, { name: fence, open: opener, close: fence === '```' ? '\n```' : '`' }];
        setRange(i + opener.length);
        i += opener.length;
        continue;
      }
      markAtom(unsafe, i, i + fence.length);
      setRange(i + fence.length);
      i += fence.length;
      continue;
    }
    if (inCode()) {
      i++;
      continue;
    }
    if (c === '[') {
      // A link is an atom: splitting it would leave "[text" in one message and "](url)" in the next.
      const m = /^\[(?:\\.|[^\]\\])*\]\((?:\\.|[^)\\])*\)/.exec(text.slice(i, i + 2048));
      if (m) {
        markAtom(unsafe, i, i + m[0].length);
        setRange(i + m[0].length);
        i += m[0].length;
        continue;
      }
    }
    const marker = markers.find((m) => text.startsWith(m, i));
    if (marker) {
      // Legacy Markdown does not nest: inside *bold* an _ is literal.
      const top = open.at(-1);
      if (top?.name === marker) open = open.slice(0, -1);
      else if (v2 || open.length === 0) open = [...open, { name: marker, open: marker, close: marker }];
      markAtom(unsafe, i, i + marker.length);
      setRange(i + marker.length);
      i += marker.length;
      continue;
    }
    i++;
  }
  frames[text.length] ??= open;
  fillForward(frames);
  return { unsafe, frames };
}

/** Positions the scanners skipped over inherit the formatting of the position before them. */
function fillForward(frames: Frame[][]): void {
  frames[0] ??= [];
  for (let i = 1; i < frames.length; i++) frames[i] ??= frames[i - 1];
}
