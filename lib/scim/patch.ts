/**
 * PATCH (RFC 7644 §3.5.2) with `scim-patch`, behind a small normaliser for what the IdPs really send:
 * - Entra without the aadOptscim062020 flag: capitalised ops ("Replace"), booleans as "True"/"False", filtered paths
 *   (`emails[type eq "work"].value`) and enterprise-extension URN paths;
 * - Entra with the flag: a path-less replace whose value has dotted keys (`"name.givenName"`) and URN keys;
 * - `manager` as a plain string instead of `{"value": …}`;
 * - Okta: `{"op": "replace", "value": {"active": false}}`, no path.
 * Attribute names are put in the schema's spelling first (SCIM names are case-insensitive).
 */
import { scimPatch, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import { badRequest } from './errors';
import { canonicalPath, ENTERPRISE_SCHEMA } from './schema';
import { booleanOf } from './user';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface Operation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

function normalisedValue(path: string, value: unknown): unknown {
  if (path === 'active') return booleanOf(value, 'active');
  if (path === `${ENTERPRISE_SCHEMA}:manager` && typeof value === 'string') return { value };
  if (path === ENTERPRISE_SCHEMA && isObject(value) && typeof value.manager === 'string')
    return { ...value, manager: { value: value.manager } };
  return value;
}

/** One op per attribute for a path-less add or replace, so dotted and URN keys mean what they say. */
function expand(op: Operation): Operation[] {
  if (op.path !== undefined || op.op === 'remove' || !isObject(op.value)) return [op];
  return Object.entries(op.value).flatMap(([key, value]): Operation[] => {
    const path = canonicalPath(key);
    if (path === ENTERPRISE_SCHEMA && isObject(value)) {
      return Object.entries(value).map(([sub, v]) => {
        const subPath = canonicalPath(`${ENTERPRISE_SCHEMA}:${sub}`);
        return { op: op.op, path: subPath, value: normalisedValue(subPath, v) };
      });
    }
    return [{ op: op.op, path, value: normalisedValue(path, value) }];
  });
}

/** The request's operations, normalised; a 400 for a body that is no PatchOp, before anything is read. */
export function operationsOf(body: unknown): Operation[] {
  if (!isObject(body)) throw badRequest('the body must be a SCIM PatchOp (a JSON object)', 'invalidSyntax');
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const raw = key === undefined ? undefined : body[key];
  if (!Array.isArray(raw) || raw.length === 0) throw badRequest('Operations must be a non-empty list', 'invalidSyntax');
  return raw.flatMap((item): Operation[] => {
    if (!isObject(item)) throw badRequest('each operation must be an object', 'invalidSyntax');
    const field = (name: string) => item[Object.keys(item).find((k) => k.toLowerCase() === name) ?? name];
    const opName = field('op');
    const op = typeof opName === 'string' ? opName.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw badRequest(`op must be add, replace or remove`, 'invalidSyntax');
    const rawPath = field('path');
    if (rawPath !== undefined && (typeof rawPath !== 'string' || rawPath.trim() === ''))
      throw badRequest('path must be a non-empty string', 'invalidPath');
    if (op === 'remove' && rawPath === undefined) throw badRequest('remove needs a path', 'noTarget');
    const value = field('value');
    if (op !== 'remove' && value === undefined) throw badRequest(`${op} needs a value`, 'invalidValue');
    const path = rawPath === undefined ? undefined : canonicalPath(rawPath.trim());
    return expand({
      op,
      ...(path === undefined ? {} : { path }),
      ...(value === undefined ? {} : { value: path === undefined ? value : normalisedValue(path, value) }),
    });
  });
}

export interface Patched {
  resource: Record<string, unknown>;
  /** Whether any operation touched roles: otherwise the user type is left as it is. */
  rolesMentioned: boolean;
}

/** The resource after the operations; 400 with the RFC's scimType for an operation that cannot apply. */
export function applyPatch(resource: Record<string, unknown>, operations: Operation[]): Patched {
  const patched = scimPatch(resource as unknown as ScimResource, operations as ScimPatchOperation[], {
    mutateDocument: false,
    treatMissingAsAdd: true,
  });
  return {
    resource: patched as unknown as Record<string, unknown>,
    rolesMentioned: operations.some((o) => o.path?.toLowerCase().startsWith('roles')),
  };
}
