/**
 * `npm run preflight [-- --stage <stage>]`: checks that a setup works, one line per check, and exits 1 at the first
 * failure (lib/preflight/preflight.ts says what is checked). Without --stage: the running `npm start` stack (its
 * emulators on their default ports, or the *_PORT variables it was started with), each setting overridable from the
 * shell. With --stage: the stage as `serverless deploy --stage <stage>` from this shell would configure it, read
 * with your AWS credentials. Exit 0 when every check passed, 1 at the first failure, 64 for a wrong command line.
 */
import { fileURLToPath } from 'node:url';
import { logger } from '../lib/log';
import { preflight, type Target } from '../lib/preflight/preflight';
import { runningStackEnv } from '../local/stack';
import { parseCommandLine, usageError } from './cli';

const USAGE = `usage: npm run preflight [-- --stage <stage>]

Checks the functions' settings, the secrets (and, for a stage, that each function's role may read them), that
DocSpace answers the key and the key may manage members, each configured sender's API, the events table and, in
queue mode, the queue. One line per check; stops with exit code 1 at the first FAIL. Reads only.

  (no option)       the running npm start stack; the shell's environment overrides its settings
  --stage <stage>   a deployed stage, configured as serverless deploy --stage <stage> from this shell would
                    configure it (the same exports), read with your AWS credentials
  -h, --help        this text`;

/** The command line, read as every script reads it (scripts/cli.ts): an unknown option exits 64 before anything is read. */
function commandLine(): { stage?: string } {
  const { values } = parseCommandLine(USAGE, { stage: { type: 'string' } });
  if (values.stage !== undefined && !/^[A-Za-z0-9-]+$/.test(values.stage)) {
    usageError(`--stage "${values.stage}": a stage name is letters, digits and hyphens`, USAGE);
  }
  return values.stage === undefined ? {} : { stage: values.stage };
}

async function main(): Promise<void> {
  const { stage } = commandLine();
  // The lines are the output; the functions' own log lines only when asked for.
  logger.setLogLevel((process.env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) ?? 'CRITICAL');
  let target: Target;
  if (stage) {
    target = { kind: 'stage', stage, cwd: fileURLToPath(new URL('..', import.meta.url)) };
  } else {
    // npm start's environment (queue mode, as npm start runs by default), each variable the shell sets winning.
    Object.assign(process.env, { ...runningStackEnv(), DELIVERY_MODE: 'queue' }, { ...process.env });
    target = { kind: 'local', env: process.env };
  }
  const passed = await preflight(target, (line) => console.log(line));
  process.exit(passed ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
