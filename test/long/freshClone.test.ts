/**
 * The two commands on a fresh machine: a clone of the committed HEAD (nothing the work tree has beside it: no
 * node_modules, no build output, no shared reference), `npm ci` there, `npm start` on the default ports, and a
 * sample sent from the clone lands in the DocSpace emulator. Skipped when DOCS picks pages.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { LOCAL } from '../../local/stack';
import { ROOT } from './support/markdown';
import { readerEnv, Shell, tail } from './support/processes';
import { READY_TIMEOUT_MS, ServiceStack } from './support/services';
import { allSettingNames } from './support/settings';

const SAMPLE = 'events/user-created.json';
const INSTALL_TIMEOUT_MS = 600_000;

async function run(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  const shell = new Shell(script, { cwd, env });
  const ended = await shell.waitExit(timeoutMs);
  await shell.stopGroup('SIGTERM', 2_000);
  if (!ended || shell.exitCode !== 0)
    throw new Error(
      `in the fresh clone, \`${script}\` ${ended ? `exited with ${shell.exitCode}` : `was still running after ${timeoutMs / 1000} s`}\n${tail(shell.output)}`,
    );
  return shell.output;
}

it.skipIf(Boolean(process.env.DOCS))(
  `a fresh clone: npm ci, npm start, and ${SAMPLE} sent from it reaches DocSpace`,
  { timeout: INSTALL_TIMEOUT_MS + 2 * READY_TIMEOUT_MS + 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docspace-idp-sync-clone-'));
    const clone = join(dir, 'docspace-idp-sync');
    const env = readerEnv(allSettingNames());
    const start = {
      id: 'start',
      file: 'npm start in the fresh clone',
      line: 0,
      script: 'npm start',
      ready: 'Server ready',
      needs: undefined,
    };
    const stack = new ServiceStack(new Map([['start', start]]), { cwd: clone, env });
    let notes: string[];
    try {
      const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
      execFileSync('git', ['clone', '--quiet', '--no-checkout', ROOT, clone]);
      execFileSync('git', ['checkout', '--quiet', head], { cwd: clone });
      let t = Date.now();
      await run('npm ci --prefer-offline --no-audit --no-fund', clone, env, INSTALL_TIMEOUT_MS);
      const installed = Date.now() - t;
      t = Date.now();
      await stack.ensure('start');
      console.log(`fresh clone: npm ci ${(installed / 1000).toFixed(1)} s, npm start ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);

      const sent = await run(`npm run send -- ${SAMPLE}`, clone, env, 60_000);
      expect(sent, sent).toMatch(/→ 2\d\d/);
      const email = (JSON.parse(readFileSync(join(clone, SAMPLE), 'utf8')) as { data: { email: string } }).data.email;
      const state = (await (await fetch(`http://127.0.0.1:${LOCAL.docspacePort}/__emulator/state`)).json()) as {
        members: { email?: string }[];
      };
      expect(
        state.members.map((m) => m.email),
        `the DocSpace emulator has no member ${email}\n${stack.outputs()}`,
      ).toContain(email);
    } finally {
      notes = await stack.stopAll();
      rmSync(dir, { recursive: true, force: true });
    }
    // What stopping the stack left behind (a port still taken, a process that would not end) fails the test too.
    if (notes.length > 0) throw new Error(notes.join('\n'));
  },
);
