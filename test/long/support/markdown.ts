/**
 * The docs as the long suite reads them: which files are docs, their fenced blocks with the kind each shell fence
 * declares (run / service / illustration), their headings as GitHub anchors them, and their relative links.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');

/** The fence languages that are commands: each such fence must say how it is run. */
export const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell', 'console']);
export const KINDS = new Set(['run', 'service', 'illustration']);

export interface Fence {
  /** Path from the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  /** run | service | illustration for a shell fence that names one; undefined otherwise. */
  kind: string | undefined;
  attrs: Record<string, string>;
  info: string;
  body: string;
}

export interface Page {
  file: string;
  text: string;
  fences: Fence[];
}

/** README.md, CHANGELOG.md, docs/**\/*.md and events/README.md, those that exist, in that order. */
export function docFiles(): string[] {
  const docs: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) docs.push(path);
    }
  };
  if (existsSync(join(ROOT, 'docs'))) walk('docs');
  return ['README.md', 'CHANGELOG.md', ...docs, 'events/README.md'].filter((f) => existsSync(join(ROOT, f)));
}

/**
 * The pages to run: DOCS (comma-separated paths from the root, e.g. `DOCS=docs/scim.md`, or a fixture outside the
 * doc set) when set, else every doc.
 */
export function selectedFiles(): { files: string[]; selected: boolean } {
  const wanted = (process.env.DOCS ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (wanted.length === 0) return { files: docFiles(), selected: false };
  for (const file of wanted) if (!existsSync(join(ROOT, file))) throw new Error(`DOCS names ${file}, which does not exist`);
  return { files: wanted.map((f) => relative(ROOT, resolve(ROOT, f))), selected: true };
}

export function readPage(file: string): Page {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return { file, text, fences: fencesOf(file, text) };
}

/** `sh run needs=emulators` → tokens with their attributes; a value may be quoted: ready="Server ready". */
function parseInfo(info: string): { tokens: string[]; attrs: Record<string, string> } {
  const tokens: string[] = [];
  const attrs: Record<string, string> = {};
  for (const m of info.matchAll(/([\w-]+)=(?:"([^"]*)"|(\S*))|(\S+)/g)) {
    if (m[1] !== undefined) attrs[m[1]] = m[2] ?? m[3] ?? '';
    else tokens.push(m[4]!);
  }
  return { tokens, attrs };
}

export function fencesOf(file: string, text: string): Fence[] {
  const lines = text.split('\n');
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent = '', marker = '', rest = ''] = open;
    // A backtick fence's info string has no backtick (CommonMark); such a line is inline code, not a fence.
    if (marker.startsWith('`') && rest.includes('`')) continue;
    const body: string[] = [];
    let j = i + 1;
    const close = new RegExp(`^\\s*${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
    while (j < lines.length && !close.test(lines[j]!)) {
      const l = lines[j]!;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
      j++;
    }
    const info = rest.trim();
    const { tokens, attrs } = parseInfo(info);
    const lang = (tokens[0] ?? '').toLowerCase();
    const kind = SHELL_LANGUAGES.has(lang) && tokens[1] && KINDS.has(tokens[1]) ? tokens[1] : undefined;
    fences.push({ file, line: i + 1, lang, kind, attrs, info, body: body.join('\n') });
    i = j;
  }
  return fences;
}

/** Each line of the text outside fences, with its 1-based number. */
function proseLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const lines = text.split('\n');
  let fence: RegExp | undefined;
  lines.forEach((l, i) => {
    if (fence) {
      if (fence.test(l)) fence = undefined;
      return;
    }
    const open = /^\s*(`{3,}|~{3,})(.*)$/.exec(l);
    if (open && !(open[1]!.startsWith('`') && open[2]!.includes('`'))) {
      fence = new RegExp(`^\\s*${open[1]![0] === '`' ? '`' : '~'}{${open[1]!.length},}\\s*$`);
      return;
    }
    out.push({ line: i + 1, text: l });
  });
  return out;
}

/** A heading's text as GitHub renders it (markup removed), before slugging. */
function headingText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|\W)[*_](.+?)[*_](?=\W|$)/g, '$1$2')
    .trim();
}

/** GitHub's heading anchors (github-slugger): lower case, punctuation and symbols dropped, spaces to hyphens, repeats numbered. */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text: l } of proseLines(text)) {
    for (const m of l.matchAll(/<a\s+(?:[^>]*\s)?(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
    const h = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(l);
    if (!h) continue;
    const base = headingText(h[1]!)
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    let slug = base;
    while (seen.has(slug)) {
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      slug = `${base}-${n}`;
    }
    seen.set(slug, 0);
    anchors.add(slug);
  }
  return anchors;
}

export interface Link {
  line: number;
  target: string;
}

/** Every link and image target in the prose (inline, reference definitions, HTML href/src), code spans left out. */
export function linksOf(text: string): Link[] {
  const links: Link[] = [];
  for (const { line, text: raw } of proseLines(text)) {
    const l = raw.replace(/(`+)(?:(?!\1).)+?\1/g, '');
    for (const m of l.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g))
      links.push({ line, target: m[1]!.replace(/^<|>$/g, '') });
    const def = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(l);
    if (def) links.push({ line, target: def[1]!.replace(/^<|>$/g, '') });
    for (const m of l.matchAll(/<(?:a|img)\s[^>]*(?:href|src)="([^"]+)"/g)) links.push({ line, target: m[1]! });
  }
  return links;
}

/** What is wrong with a relative link of `file` (undefined when it resolves); absolute URLs are not checked. */
export function brokenLink(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined;
  const [pathPart = '', anchor] = target.split('#', 2) as [string, string | undefined];
  const path = decodeURIComponent(pathPart.split('?')[0]!);
  if (path.startsWith('/')) return 'an absolute path: link relative to the page';
  const resolved = path === '' ? join(ROOT, file) : resolve(ROOT, file, '..', path);
  if (!resolved.startsWith(ROOT)) return 'outside the repository';
  if (!existsSync(resolved)) return `${relative(ROOT, resolved)} does not exist`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!resolved.endsWith('.md') || statSync(resolved).isDirectory()) return undefined;
  const anchors = anchorsOf(readFileSync(resolved, 'utf8'));
  return anchors.has(decodeURIComponent(anchor)) ? undefined : `${relative(ROOT, resolved)} has no heading with the anchor #${anchor}`;
}

/** The commands of a block: lines joined at a trailing backslash, comments and blank lines dropped. */
export function commandsOf(body: string): string[] {
  return body
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) =>
      l
        .replace(/(^|\s)#.*$/, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter(Boolean);
}
