/**
 * Senders whose read API takes a list of fields (Bob, BambooHR) leave out, without an error, a field the caller may
 * not view or that does not exist. A field asked for and not answered is therefore a configuration fault (the
 * service user's permissions, or a mapping naming a field the sender does not have), never "no value": the delivery
 * fails with 'misconfigured' (500) so the sender retries and its alerting sees it, and the error names the field ids
 * (never a value, so never an e-mail address).
 */
import { ConfigurationError } from '../../outcome';

export function requireAnswered(
  sender: string,
  what: string,
  requested: Iterable<string>,
  answered: Record<string, unknown>,
  likelyCause: string,
): void {
  const missing = [...new Set(requested)].filter((field) => !Object.hasOwn(answered, field));
  if (missing.length === 0) return;
  throw new ConfigurationError(`the ${sender} API's answer for ${what} lacks field(s) asked for: ${missing.join(', ')}. ${likelyCause}`);
}
