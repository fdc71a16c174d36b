/** Signature helpers shared by the HMAC senders: constant-time comparison and a timestamp window. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { RefusedEvent } from '../../outcome';

/** Compares two secrets in constant time, whatever their lengths (both are hashed to 32 bytes first). */
export function safeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

export function hmac(algorithm: 'sha256' | 'sha512', key: string, ...parts: (Buffer | string)[]): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

export const refuse = (message: string): never => {
  throw new RefusedEvent('unauthorized', message);
};

/** Seconds a signed timestamp may be off from now, either way, before a delivery is refused as a replay. */
const TIMESTAMP_TOLERANCE_SECONDS = 300;

export function requireFreshTimestamp(header: string | undefined, name: string, now = Date.now()): string {
  if (!header) return refuse(`missing ${name} header`);
  const seconds = Number(header);
  if (!/^\d{1,12}$/.test(header) || !Number.isFinite(seconds)) return refuse(`${name} is not a Unix timestamp`);
  if (Math.abs(now / 1000 - seconds) > TIMESTAMP_TOLERANCE_SECONDS) return refuse(`${name} is outside the 5-minute window`);
  return header;
}
