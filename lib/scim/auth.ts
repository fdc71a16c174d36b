/**
 * Middleware: `Authorization: Bearer <token>` against the `scim` tokens of the webhook secret (one, or a list while
 * an admin rotates). Compared in constant time against every token; a token that matches none is checked once more
 * against a fresh read of the secret (at most every 30 s per container), so a newly added token works at once.
 * Wrong or missing → 401 before anything else is read. Tokens are never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { exchangeOf } from '../http/exchange';
import { ScimFailure } from './errors';

/** The key of the SCIM tokens in the webhook secret. */
export const SCIM_TOKEN_KEY = 'scim';
const REFRESH_INTERVAL_MS = 30_000;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Whether `candidate` is one of `tokens`, comparing digests in constant time and always against every token. */
function matchesAny(candidate: string, tokens: string[]): boolean {
  const presented = digest(candidate);
  let matched = false;
  for (const token of tokens) matched = timingSafeEqual(presented, digest(token)) || matched;
  return matched;
}

export function bearerToken(
  tokens: (refresh: boolean) => Promise<string[]>,
  now: () => number,
): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  let lastRefresh = Number.NEGATIVE_INFINITY;
  return {
    before: async (request) => {
      const exchange = exchangeOf(request);
      if (!exchange.http) return;
      const header = exchange.headers.authorization ?? '';
      const match = /^Bearer[ \t]+(\S{1,4096})[ \t]*$/i.exec(header);
      if (!match?.[1]) throw new ScimFailure(401, 'an Authorization: Bearer token is required');
      if (matchesAny(match[1], await tokens(false))) return;
      if (now() - lastRefresh >= REFRESH_INTERVAL_MS) {
        lastRefresh = now();
        if (matchesAny(match[1], await tokens(true))) return;
      }
      throw new ScimFailure(401, 'the bearer token is not valid');
    },
  };
}
