/**
 * A delivery's body, read the way its Content-Type says: JSON (`application/json`, `…+json`, or no type at all) or
 * an HTML form (`application/x-www-form-urlencoded`, only when the header says so), in UTF-8 only. Anything else —
 * a type the sender does not send, another charset, bytes that are not UTF-8, no body — is refused (400) before a
 * single record is read, so a body that is not the sender's format never reaches its API or DocSpace.
 */
import { RefusedEvent } from '../../outcome';
import type { IncomingWebhook } from './adapter';

type BodyFormat = 'json' | 'form';

const FORMAT_OF: Record<string, BodyFormat> = { 'application/json': 'json', 'application/x-www-form-urlencoded': 'form' };
const UTF8 = new Set(['utf-8', 'utf8', 'us-ascii']);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

const refuse = (message: string): never => {
  throw new RefusedEvent('invalid', message);
};

/** The body's text and the format its Content-Type names, when that format is one of `accepted`. */
export function bodyOf(request: IncomingWebhook, accepted: readonly BodyFormat[], sender: string): { format: BodyFormat; text: string } {
  const [type = '', ...parameters] = (request.headers['content-type'] ?? '').split(';').map((p) => p.trim().toLowerCase());
  // A delivery that names no type is read as JSON, the format every sender sends by default.
  const format = type === '' ? 'json' : (FORMAT_OF[type] ?? (/^application\/[\w.-]+\+json$/.test(type) ? 'json' : undefined));
  if (!format || !accepted.includes(format)) {
    refuse(
      `Content-Type "${type}" is not a format ${sender} sends (${accepted.map((f) => (f === 'json' ? 'application/json' : 'application/x-www-form-urlencoded')).join(' or ')})`,
    );
  }
  const charset = parameters
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/^"|"$/g, '');
  if (charset !== undefined && !UTF8.has(charset)) refuse(`charset "${charset}" is not UTF-8, the only encoding ${sender} bodies come in`);
  if (request.rawBody.length === 0) refuse('the body is empty');
  let text: string;
  try {
    text = strictUtf8.decode(request.rawBody);
  } catch {
    return refuse('the body is not valid UTF-8');
  }
  if (text.trim() === '') refuse('the body is empty');
  return { format: format as BodyFormat, text };
}
