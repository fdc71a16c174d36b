/**
 * The command line of every npm script: node:util's parseArgs with `strict: true`, so an unknown or misspelt option
 * (`--dryrun`) is an error before anything is read, sent or moved; `--help` prints the usage and exits 0.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Exit code for a command line that is wrong (BSD's EX_USAGE). */
export const USAGE_ERROR = 64;

export function parseCommandLine<const T extends Options>(
  usage: string,
  options: T,
  config: { allowPositionals?: boolean; args?: string[] } = {},
) {
  const args = (config.args ?? process.argv.slice(2)).filter((a, i) => !(i === 0 && a === '--'));
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: config.allowPositionals ?? false });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exit(USAGE_ERROR);
  }
}

/** Stops with the usage when a command line is well-formed but says something the script cannot do. */
export function usageError(message: string, usage: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(USAGE_ERROR);
}
