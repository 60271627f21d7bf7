// parse_mode handling as the Bot API does it: markup becomes plain text plus entities (UTF-16 offsets),
// broken markup is refused with "can't parse entities: ...". Faithful enough that a client which splits
// a long message in the middle of a tag or a code block gets the same error it would get from Telegram.
import type { MessageEntity } from './types.js';

export type ParseResult = { text: string; entities: MessageEntity[] } | { error: string };

const byteOffset = (src: string, index: number) => Buffer.byteLength(src.slice(0, index), 'utf8');

export function parseEntities(src: string, parseMode: string | undefined): ParseResult {
  let result: ParseResult;
  if (!parseMode) result = { text: src, entities: [] };
  else if (parseMode === 'HTML') result = parseHtml(src);
  else if (parseMode === 'MarkdownV2') result = parseMarkdownV2(src);
  else if (parseMode === 'Markdown') result = parseMarkdown(src);
  else return { error: 'unsupported parse_mode' };
  return 'error' in result ? { error: "can't parse entities: " + result.error } : trim(result);
}

/** Telegram strips leading and trailing whitespace from a message; entity offsets shift with it. */
function trim(r: { text: string; entities: MessageEntity[] }): { text: string; entities: MessageEntity[] } {
  const lead = r.text.length - r.text.trimStart().length;
  const text = r.text.trim();
  const entities = r.entities
    .map((e) => {
      const start = Math.max(0, e.offset - lead);
      const end = Math.min(text.length, e.offset + e.length - lead);
      return { ...e, offset: start, length: end - start };
    })
    .filter((e) => e.length > 0);
  return { text, entities };
}

const HTML_TAGS: Record<string, string> = {
  b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline',
  s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', 'tg-spoiler': 'spoiler', span: 'spoiler',
  a: 'text_link', code: 'code', pre: 'pre', blockquote: 'blockquote', 'tg-emoji': 'custom_emoji',
};
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function parseHtml(src: string): ParseResult {
  let out = '';
  const stack: Array<{ name: string; start: number; attrs: string }> = [];
  const entities: MessageEntity[] = [];
  for (let i = 0; i < src.length; ) {
    const c = src[i];
    if (c === '<') {
      const end = src.indexOf('>', i);
      if (end < 0) return { error: `Unclosed start tag at byte offset ${byteOffset(src, i)}` };
      const tag = src.slice(i + 1, end).trim();
      if (tag.startsWith('/')) {
        const name = tag.slice(1).trim().toLowerCase();
        const top = stack.pop();
        if (!top) return { error: `Unexpected end tag at byte offset ${byteOffset(src, i)}` };
        if (top.name !== name) return { error: `Unmatched end tag at byte offset ${byteOffset(src, i)}, expected "</${top.name}>", found "</${name}>"` };
        const entity = htmlEntity(top, out.length, stack);
        if (entity) entities.push(entity);
      } else {
        const name = (/^[a-z-]+/i.exec(tag)?.[0] ?? '').toLowerCase();
        if (!(name in HTML_TAGS)) return { error: `Unsupported start tag "${name}" at byte offset ${byteOffset(src, i)}` };
        if (name === 'span' && !/class\s*=\s*"tg-spoiler"/.test(tag)) return { error: `Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(src, i)}` };
        stack.push({ name, start: out.length, attrs: tag.slice(name.length) });
      }
      i = end + 1;
    } else if (c === '&') {
      const m = /^&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]+);/i.exec(src.slice(i, i + 12));
      const code = m?.[1];
      if (code && code.startsWith('#')) out += String.fromCodePoint(code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : Number(code.slice(1)));
      else if (code && NAMED_ENTITIES[code]) out += NAMED_ENTITIES[code];
      else out += m ? m[0] : '&';
      i += m && (code!.startsWith('#') || NAMED_ENTITIES[code!]) ? m[0].length : 1;
    } else {
      out += c;
      i++;
    }
  }
  if (stack.length) return { error: `Can't find end tag corresponding to start tag "${stack.at(-1)!.name}"` };
  return { text: out, entities: entities.sort((a, b) => a.offset - b.offset) };
}

function htmlEntity(top: { name: string; start: number; attrs: string }, end: number, outer: Array<{ name: string }>): MessageEntity | undefined {
  const base = { offset: top.start, length: end - top.start };
  if (base.length === 0) return undefined;
  const type = HTML_TAGS[top.name];
  if (type === 'text_link') {
    const href = /href\s*=\s*"([^"]*)"/.exec(top.attrs)?.[1];
    return href ? { type, ...base, url: href.replace(/&amp;/g, '&') } : undefined;
  }
  if (type === 'code' && outer.at(-1)?.name === 'pre') return undefined; // <pre><code class="language-x"> is one pre entity
  if (type === 'pre') return { type, ...base };
  if (type === 'blockquote' && /expandable/.test(top.attrs)) return { type: 'expandable_blockquote', ...base };
  return { type, ...base };
}

const V2_RESERVED = '_*[]()~`>#+-=|{}.!';
const V2_TOGGLES: Array<[string, string, string]> = [
  ['||', 'spoiler', 'Spoiler'],
  ['__', 'underline', 'Underline'],
  ['*', 'bold', 'Bold'],
  ['_', 'italic', 'Italic'],
  ['~', 'strikethrough', 'Strikethrough'],
];

function parseMarkdownV2(src: string): ParseResult {
  let out = '';
  const entities: MessageEntity[] = [];
  const stack: Array<{ type: string; label: string; start: number; srcIndex: number }> = [];
  let lineQuoteStart = -1;
  for (let i = 0; i < src.length; ) {
    const c = src[i];
    if (c === '\\') {
      if (i + 1 >= src.length) return { error: `Character '\\' is reserved and must be escaped with the preceding '\\'` };
      out += src[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      // Code and pre: everything up to the closing backticks is literal (only ` and \ need escaping).
      const fence = src.startsWith('```', i) ? '```' : '`';
      let j = i + fence.length;
      let language: string | undefined;
      if (fence === '```') {
        const nl = src.indexOf('\n', j);
        const first = nl < 0 ? '' : src.slice(j, nl);
        if (nl >= 0 && /^[\w+-]*$/.test(first)) {
          language = first || undefined;
          j = nl + 1;
        }
      }
      const start = out.length;
      for (;;) {
        if (j >= src.length) return { error: `Can't find end of ${fence === '```' ? 'Pre' : 'Code'} entity at byte offset ${byteOffset(src, i)}` };
        if (src[j] === '\\' && j + 1 < src.length) {
          out += src[j + 1];
          j += 2;
        } else if (src.startsWith(fence, j)) break;
        else out += src[j++];
      }
      if (out.length > start) entities.push(fence === '```' ? { type: 'pre', offset: start, length: out.length - start, ...(language ? { language } : {}) } : { type: 'code', offset: start, length: out.length - start });
      i = j + fence.length;
      continue;
    }
    if (c === '>' && (i === 0 || src[i - 1] === '\n')) {
      lineQuoteStart = lineQuoteStart < 0 ? out.length : lineQuoteStart;
      i++;
      continue;
    }
    if (c === '\n' && lineQuoteStart >= 0 && src[i + 1] !== '>') {
      entities.push({ type: 'blockquote', offset: lineQuoteStart, length: out.length - lineQuoteStart });
      lineQuoteStart = -1;
    }
    if (c === '[') {
      stack.push({ type: 'text_link', label: 'TextUrl', start: out.length, srcIndex: i });
      i++;
      continue;
    }
    if (c === ']') {
      const top = stack.pop();
      const m = /^\]\(((?:\\.|[^)\\])*)\)/.exec(src.slice(i));
      if (!top || top.type !== 'text_link' || !m) return { error: `Character ']' is reserved and must be escaped with the preceding '\\'` };
      entities.push({ type: 'text_link', offset: top.start, length: out.length - top.start, url: m[1].replace(/\\(.)/g, '$1') });
      i += m[0].length;
      continue;
    }
    const toggle = V2_TOGGLES.find(([marker]) => src.startsWith(marker, i));
    if (toggle) {
      const [marker, type, label] = toggle;
      const top = stack.at(-1);
      if (top?.type === type) {
        stack.pop();
        if (out.length > top.start) entities.push({ type, offset: top.start, length: out.length - top.start });
      } else if (stack.some((s) => s.type === type)) {
        const open = stack.find((s) => s.type === type)!;
        return { error: `Can't find end of ${open.label} entity at byte offset ${byteOffset(src, open.srcIndex)}` };
      } else stack.push({ type, label, start: out.length, srcIndex: i });
      i += marker.length;
      continue;
    }
    if (V2_RESERVED.includes(c)) return { error: `Character '${c}' is reserved and must be escaped with the preceding '\\'` };
    out += c;
    i++;
  }
  if (stack.length) {
    const open = stack.at(-1)!;
    return { error: `Can't find end of ${open.label} entity at byte offset ${byteOffset(src, open.srcIndex)}` };
  }
  if (lineQuoteStart >= 0) entities.push({ type: 'blockquote', offset: lineQuoteStart, length: out.length - lineQuoteStart });
  return { text: out, entities: entities.sort((a, b) => a.offset - b.offset) };
}

/** Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting, \ escapes _*`[ only. */
function parseMarkdown(src: string): ParseResult {
  let out = '';
  const entities: MessageEntity[] = [];
  for (let i = 0; i < src.length; ) {
    const c = src[i];
    if (c === '\\' && '_*`['.includes(src[i + 1] ?? '')) {
      out += src[i + 1];
      i += 2;
      continue;
    }
    const fence = src.startsWith('```', i) ? '```' : c === '`' || c === '*' || c === '_' ? c : c === '[' ? '[' : '';
    if (!fence) {
      out += c;
      i++;
      continue;
    }
    if (fence === '[') {
      const m = /^\[([^\]]*)\]\(([^)]*)\)/.exec(src.slice(i));
      if (!m) return { error: `Can't find end of the entity starting at byte offset ${byteOffset(src, i)}` };
      if (m[1].length) entities.push({ type: 'text_link', offset: out.length, length: m[1].length, url: m[2] });
      out += m[1];
      i += m[0].length;
      continue;
    }
    const close = src.indexOf(fence, i + fence.length);
    if (close < 0) return { error: `Can't find end of the entity starting at byte offset ${byteOffset(src, i)}` };
    let body = src.slice(i + fence.length, close);
    let language: string | undefined;
    if (fence === '```') {
      const nl = body.indexOf('\n');
      if (nl >= 0 && /^[\w+-]+$/.test(body.slice(0, nl))) {
        language = body.slice(0, nl);
        body = body.slice(nl + 1);
      } else if (body.startsWith('\n')) body = body.slice(1);
    }
    const type = fence === '```' ? 'pre' : fence === '`' ? 'code' : fence === '*' ? 'bold' : 'italic';
    if (body.length) entities.push({ type, offset: out.length, length: body.length, ...(language ? { language } : {}) });
    out += body;
    i = close + fence.length;
  }
  return { text: out, entities };
}
