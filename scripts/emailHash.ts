/**
 * `npm run -s email-hash -- <address> [<address> …]`: the `emailHash` the log lines carry for each address (the same
 * function, lib/log.ts: SHA-256 of the trimmed, lower-cased address, first 16 hex digits), for the CloudWatch Logs
 * Insights query that answers "what happened to this hire?" (docs/operating.md). Nothing is sent anywhere.
 */
import { emailHash } from '../lib/log';
import { parseCommandLine, usageError } from './cli';

const USAGE = 'usage: npm run -s email-hash -- <e-mail address> [...]\n  prints the emailHash the log lines carry for each address';
const addresses = parseCommandLine(USAGE, {}, { allowPositionals: true }).positionals;
if (addresses.length === 0) usageError('no address given', USAGE);
for (const address of addresses) console.log(`${emailHash(address)}  ${address.trim().toLowerCase()}`);
