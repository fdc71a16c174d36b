/**
 * Runs in every test file: captures everything written to stdout and stderr (where the Powertools logger writes)
 * and fails the file if any line holds a DocSpace API key, a signing secret, an Authorization value or a raw e-mail.
 * The functions' JSON lines (logs and EMF metrics, hundreds of thousands in a run) are captured but not shown, so
 * that a test's own output and vitest's report stay readable: `TEST_LOGS=1 npm test` shows them.
 */
import { afterAll } from 'vitest';

const captured: string[] = [];

const shown = process.env.TEST_LOGS === '1';

for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = (chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    captured.push(text);
    if (!shown && /^\{"(level|_aws)"/.test(text)) return true;
    return write(chunk, ...rest);
  };
}

const FORBIDDEN: [string, RegExp][] = [
  ['a DocSpace API key', /sk-[0-9a-f]{64}/i],
  ['a Standard Webhooks secret', /whsec_/],
  ['an Authorization value', /Bearer\s|"authorization"\s*:/i],
  ['a SCIM bearer token', /scimlocal_|scimrotated_/],
  ['a raw e-mail address', /[\w.+-]+@[\w-]+(\.[\w-]+)+/],
];

/** The reasons `text` may not be logged; empty when it is clean. */
export function secretsIn(text: string): string[] {
  return FORBIDDEN.filter(([, pattern]) => pattern.test(text)).map(([what]) => what);
}

export function capturedLogLines(): string[] {
  return captured
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'));
}

afterAll(() => {
  const leaks = capturedLogLines().flatMap((line) => secretsIn(line).map((what) => `${what} in: ${line.slice(0, 300)}`));
  if (leaks.length > 0) throw new Error(`log lines leak secrets or personal data:\n${leaks.slice(0, 5).join('\n')}`);
});
