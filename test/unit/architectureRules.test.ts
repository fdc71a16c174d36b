/**
 * The dependency rules as docs/architecture.md tells them are the rules `.dependency-cruiser.cjs` enforces: one row
 * of the page's table per part of lib/, naming exactly what that part's rule allows.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Rule {
  name: string;
  to: { pathNot?: string | string[] };
}

const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as { forbidden: Rule[] };

/** `^lib/docspace/` → `docspace/`, `^lib/outcome\.ts$` → `outcome.ts`. */
const partOf = (pattern: string) =>
  pattern
    .replace(/^\^lib\//, '')
    .replace(/\$$/, '')
    .replace(/\\\./g, '.');

/** Each part's rule: what it may import, besides its own files. */
function enforced(): Map<string, string[]> {
  const rules = new Map<string, string[]>();
  for (const rule of config.forbidden.filter((r) => r.name.startsWith('lib/'))) {
    const [own, ...allowed] = [rule.to.pathNot ?? []].flat().map(partOf);
    rules.set(own ?? rule.name, allowed.sort());
  }
  return rules;
}

/** The page's table, with `shared`, `nothing` and `everything` spelled out. */
function documented(parts: string[]): Map<string, string[]> {
  const page = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
  const table = page.slice(page.indexOf('| part of `lib/` |')).split('\n\n')[0] ?? '';
  const shared = page.slice(page.indexOf('"shared" below is')).split('\n\n')[0] ?? '';
  const names = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
  const rows = new Map<string, string[]>();
  for (const line of table.split('\n').slice(2)) {
    const [, who = '', what = ''] = line.split('|').map((cell) => cell.trim());
    for (const part of names(who)) {
      const others = parts.filter((p) => p !== part);
      const allowed =
        what === 'nothing'
          ? []
          : what === 'everything'
            ? others
            : what.startsWith('everything but')
              ? others.filter((p) => !names(what).includes(p))
              : [...names(what), ...(/\bshared\b/.test(what) ? names(shared) : [])];
      rows.set(part, allowed.sort());
    }
  }
  return rows;
}

describe('dependency rules', () => {
  it('docs/architecture.md names, for every part of lib/, exactly what its rule allows', () => {
    const rules = enforced();
    expect(rules.size).toBeGreaterThan(20);
    expect(Object.fromEntries(documented([...rules.keys()]))).toEqual(Object.fromEntries(rules));
  });
});
