/**
 * `npm run -s email-hash -- <address> [<address> …]`: the `emailHash` the log lines carry for each address (the same
 * function, lib/log.ts: SHA-256 of the trimmed, lower-cased address, first 16 hex digits), for the CloudWatch Logs
 * Insights query that answers "what happened to this hire?" (README, *Operating*). Nothing is sent anywhere.
 */
import { emailHash } from '../lib/log';

const addresses = process.argv.slice(2).filter((a) => a !== '--');
if (addresses.length === 0) {
  console.error('usage: npm run -s email-hash -- <e-mail address> [...]');
  process.exit(2);
}
for (const address of addresses) console.log(`${emailHash(address)}  ${address.trim().toLowerCase()}`);
