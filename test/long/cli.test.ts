/** Every npm script answers --help with its usage (a spawn each: here, not in npm test). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function script(file: string, args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run('npx', ['tsx', file, ...args]);
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('the command lines', () => {
  it('every script answers --help with its usage and exit 0', { timeout: 120_000 }, async () => {
    const scripts = [
      'scripts/replay.ts',
      'scripts/reconcile.ts',
      'scripts/emailHash.ts',
      'scripts/chaos.ts',
      'scripts/conformanceScim.ts',
      'scripts/send.ts',
      'scripts/preflight.ts',
      'scripts/start.ts',
      'scripts/emulators.ts',
      'bench/run.ts',
    ];
    const answers = await Promise.all(scripts.map((file) => script(file, ['--help'])));
    for (const [i, answer] of answers.entries()) {
      expect(answer.code, scripts[i]).toBe(0);
      expect(answer.stdout, scripts[i]).toMatch(/^usage: npm (run |start)/);
    }
  });
});
