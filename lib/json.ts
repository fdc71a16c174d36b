/** JSON bodies, parsed with an answer that names what is wrong (at most five problems), never a 500. */
import type * as z from 'zod';
import { RefusedEvent } from './outcome';

export function parseJsonBody(raw: Buffer | string): unknown {
  try {
    return JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8')) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unparseable';
    throw new RefusedEvent('invalid', 'the body is not valid JSON', [`body: ${reason}`]);
  }
}

/** Problems of a failed zod parse, one line each, as the answer lists them. */
export const problemsOf = (error: z.ZodError, limit = 5): string[] =>
  error.issues.slice(0, limit).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);

/** The body as JSON of the given shape, or a 400 that names what is wrong. */
export function parseJsonAs<T>(raw: Buffer | string, schema: z.ZodType<T>, what: string): T {
  const parsed = schema.safeParse(parseJsonBody(raw));
  if (!parsed.success) throw new RefusedEvent('invalid', `not ${what}`, problemsOf(parsed.error));
  return parsed.data;
}

/** A JSON scalar as text, '' for anything else (null, an object, an array): never "[object Object]". */
export const textOf = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
