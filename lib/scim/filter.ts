/**
 * Filters (RFC 7644 §3.4.2.2), parsed by `scim2-parse-filter`. What the IdPs match with — `eq` on `userName`,
 * `externalId`, `id`, `emails.value` (also as `emails[type eq "work"].value`), joined by `and` — names a member to
 * look up directly, among every DocSpace member. Any other filter is evaluated over the members this door manages
 * (when there are few enough to read); else it is a 400 `invalidFilter`.
 * String comparisons ignore case except for `id` and `externalId` (caseExact in RFC 7643).
 */
import { filter as predicateOf, parse, type Filter } from 'scim2-parse-filter';
import { badRequest } from './errors';

export interface Lookup {
  kind: 'id' | 'userName' | 'externalId' | 'email';
  value: string;
}

export interface FilterPlan {
  /** A member the filter names, to look up directly; absent when the filter must be evaluated over members. */
  lookup?: Lookup;
  matches(resource: Record<string, unknown>): boolean;
}

const CASE_EXACT = new Set(['id', 'externalid']);
const LOOKUP_BY_PATH: Record<string, Lookup['kind']> = {
  id: 'id',
  username: 'userName',
  externalid: 'externalId',
  'emails.value': 'email',
  emails: 'email',
};
const MAX_FILTER_LENGTH = 1_000;

const lastName = (path: string) => path.slice(path.lastIndexOf(':') + 1).toLowerCase();

/** The filter with every compared string lower-cased, except where the attribute is case-exact. */
function foldCase(f: Filter, prefix = ''): Filter {
  switch (f.op) {
    case 'and':
    case 'or':
      return { ...f, filters: f.filters.map((c) => foldCase(c, prefix)) };
    case 'not':
      return { ...f, filter: foldCase(f.filter, prefix) };
    case '[]':
      return { ...f, valFilter: foldCase(f.valFilter, `${f.attrPath}.`) };
    case 'pr':
      return f;
    default:
      return typeof f.compValue === 'string' && !CASE_EXACT.has(lastName(prefix + f.attrPath))
        ? { ...f, compValue: f.compValue.toLowerCase() }
        : f;
  }
}

/** The resource with its strings lower-cased (id and externalId kept), for comparing against a folded filter. */
function foldResource(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return CASE_EXACT.has(key.toLowerCase()) ? value : value.toLowerCase();
  if (Array.isArray(value)) return value.map((v) => foldResource(v, key));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, foldResource(v, k)]));
  return value;
}

/** The conjuncts of an and-tree. */
const conjuncts = (f: Filter): Filter[] => (f.op === 'and' ? f.filters.flatMap(conjuncts) : [f]);

/** A conjunct an IdP matches with: eq on a looked-up attribute, or `emails[type eq "…"]`. */
function lookupOf(f: Filter): Lookup | 'type' | undefined {
  if (f.op === 'eq' && typeof f.compValue === 'string') {
    const kind = LOOKUP_BY_PATH[f.attrPath.toLowerCase()];
    return kind ? { kind, value: f.compValue } : undefined;
  }
  if (f.op === '[]' && f.attrPath.toLowerCase() === 'emails' && f.valFilter.op === 'eq' && f.valFilter.attrPath.toLowerCase() === 'type')
    return 'type';
  return undefined;
}

/** A comparison value that is not JSON (true, false, null, a number or a quoted string), in quotes. */
const quoteBareValues = (text: string) =>
  text.replace(/\b(eq|ne|co|sw|ew|gt|lt|ge|le)\s+([^\s"()[\]]+)/gi, (whole, op: string, value: string) =>
    /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/.test(value) ? whole : `${op} ${JSON.stringify(value)}`,
  );

export function planFilter(text: string): FilterPlan {
  if (text.length > MAX_FILTER_LENGTH) throw badRequest(`filter longer than ${MAX_FILTER_LENGTH} characters`, 'invalidFilter');
  let ast: Filter;
  try {
    ast = parse(text);
  } catch (error) {
    // Some clients leave string values unquoted (`userName sw O`); read those as strings rather than refuse them.
    const quoted = quoteBareValues(text);
    try {
      if (quoted === text) throw error;
      ast = parse(quoted);
    } catch {
      throw badRequest(
        `the filter does not parse (RFC 7644 §3.4.2.2; values are JSON, strings quoted): ${error instanceof Error ? error.message : 'invalid'}`,
        'invalidFilter',
      );
    }
  }
  const folded = foldCase(ast);
  const test = predicateOf(folded);
  const parts = conjuncts(ast).map(lookupOf);
  const direct = parts.every((p) => p !== undefined) ? parts.find((p): p is Lookup => typeof p === 'object') : undefined;
  return { ...(direct ? { lookup: direct } : {}), matches: (resource) => test(foldResource(resource)) };
}
