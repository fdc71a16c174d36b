/**
 * SCIM errors (RFC 7644 §3.12): every failure becomes a status, a `scimType` where the RFC defines one, and a
 * `detail` a provisioning log can show. DocSpace's rate limit stays a 429 and its outages a 503, both with
 * Retry-After, so the IdP retries later; input it refuses (a name DocSpace will not take) is the client's 400.
 */
import { DocSpaceError } from '../docspace/errors';
import { answerFor, DEFAULT_RETRY_AFTER_SECONDS, httpStatusOf, isRetryable } from '../outcome';

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** A failure this server explains in SCIM terms. */
export class ScimFailure extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly scimType?: ScimType,
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
    this.name = 'ScimFailure';
  }
}

export const badRequest = (detail: string, scimType: ScimType = 'invalidValue') => new ScimFailure(400, detail, scimType);
export const notFound = (id: string) => new ScimFailure(404, `Resource ${id} not found`);
export const conflict = (detail: string) => new ScimFailure(409, detail, 'uniqueness');

export interface ScimErrorAnswer {
  status: number;
  scimType?: ScimType;
  detail: string;
  retryAfterSeconds?: number;
  /** The outcome name for the log line. */
  outcome: string;
}

/** scim-patch's errors carry the RFC's scimType. */
const isPatchError = (error: unknown): error is Error & { scimCode?: string } =>
  error instanceof Error && 'scimCode' in error && error.constructor.name !== 'Error';

export function scimErrorOf(error: unknown): ScimErrorAnswer {
  if (error instanceof ScimFailure) {
    return {
      status: error.status,
      detail: error.message,
      outcome: error.scimType ?? `http_${error.status}`,
      ...(error.scimType ? { scimType: error.scimType } : {}),
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    };
  }
  if (error instanceof DocSpaceError && error.status === 429) {
    return {
      status: 429,
      detail: 'DocSpace is rate-limiting requests; try again later',
      outcome: 'rate_limited',
      retryAfterSeconds: error.serverRetryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
    };
  }
  if (isPatchError(error)) {
    const scimType =
      (['invalidPath', 'noTarget', 'invalidValue', 'invalidSyntax', 'mutability'] as const).find((t) => t === error.scimCode) ??
      'invalidSyntax';
    return { status: 400, scimType, detail: error.message, outcome: scimType };
  }
  const { answer, retryAfterSeconds } = answerFor(error);
  let status = httpStatusOf(answer.outcome);
  // DocSpace refused the data (a name it will not take): the client's request, in SCIM a 400.
  if (answer.outcome === 'rejected_by_docspace' || answer.outcome === 'unknown_role') status = 400;
  const detail = [answer.message ?? answer.outcome, ...(answer.errors ?? [])].join('; ');
  return {
    status,
    detail,
    outcome: answer.outcome,
    ...(status === 400 ? { scimType: 'invalidValue' as const } : {}),
    ...(isRetryable(answer.outcome) && status === 503 ? { retryAfterSeconds: retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS } : {}),
  };
}

/** A paging parameter (`startIndex`, `count`): absent, or an integer (400 otherwise). */
export function integerOf(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw badRequest(`${name} must be an integer`);
  return value;
}
