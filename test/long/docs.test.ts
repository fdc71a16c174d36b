/**
 * The docs are executed. Every shell fence in README.md, CHANGELOG.md, docs/**\/*.md and events/README.md says how
 * it runs (```sh run```, ```sh service id=… ready="…"```, ```sh illustration```); each page's run blocks run
 * verbatim, in order, by `bash -euo pipefail -c` in the repository root, against a fresh start of the service they
 * need (default `start`), and must exit 0. One test per block, named by its file and line.
 *
 * Then what the docs must cover (every sample sent or invoked, replay and reconcile, the README's two commands),
 * that every relative link resolves, that no tracked file points outside the repository, and that the configuration
 * page names every setting.
 *
 * A run block may say `requires=<file>`: a file the reader brings that the repository does not hold; without it the
 * block is skipped (counted as skipped).
 *
 * One page: DOCS=docs/scim.md npm run test:long (comma-separated; a fixture outside the docs works too).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SENDER_NAMES } from '../../lib/senders/registry';
import {
  brokenLink,
  commandsOf,
  docFiles,
  KINDS,
  linksOf,
  readPage,
  ROOT,
  selectedFiles,
  SHELL_LANGUAGES,
  type Fence,
  type Page,
} from './support/markdown';
import { readerEnv, Shell, tail } from './support/processes';
import { READY_TIMEOUT_MS, serviceDefinitions, ServiceStack, serviceTimes } from './support/services';
import { allSettingNames } from './support/settings';

/** A run block that has not ended after this long fails (`timeout=<seconds>` on the fence changes it). */
const RUN_TIMEOUT_MS = 300_000;

const docs: Page[] = docFiles().map(readPage);
const { files: runFiles } = selectedFiles();
const runPages = runFiles.map((file) => docs.find((p) => p.file === file) ?? readPage(file));
const extraPages = runPages.filter((p) => !docs.includes(p));
const { services, problems: serviceProblems } = serviceDefinitions([...docs, ...extraPages].flatMap((p) => p.fences));
const env = readerEnv(allSettingNames());

const where = (f: { file: string; line: number }) => `${f.file}:${f.line}`;
const runBlocks = (pages: Page[]) => pages.flatMap((p) => p.fences.filter((f) => f.kind === 'run'));

describe('fences', () => {
  it('every shell fence says how it runs: run, service or illustration', () => {
    const untagged = [...docs, ...extraPages]
      .flatMap((p) => p.fences)
      .filter((f) => SHELL_LANGUAGES.has(f.lang) && !f.kind)
      .map(
        (f) => `${where(f)}: \`\`\`${f.info} — say \`${f.lang} run\`, \`${f.lang} service id=… ready="…"\` or \`${f.lang} illustration\``,
      );
    expect(untagged, `shell fences without a kind (${[...KINDS].join(' / ')}):\n${untagged.join('\n')}`).toEqual([]);
  });

  it('every service block has an id and a ready text, and every block needs a service the docs define', () => {
    const unknown = [...docs, ...extraPages]
      .flatMap((p) => p.fences)
      .filter((f) => f.kind === 'run' && (f.attrs.needs ?? 'start') !== 'none' && !services.has(f.attrs.needs ?? 'start'))
      .map((f) => `${where(f)}: needs=${f.attrs.needs ?? 'start'}, which no \`sh service id=…\` block defines`);
    const problems = [...serviceProblems, ...unknown];
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

const blockTimes: { at: string; ms: number }[] = [];

for (const page of runPages) {
  const blocks = page.fences.filter((f) => f.kind === 'run' || f.kind === 'service');
  if (blocks.length === 0) continue;
  describe(page.file, () => {
    const stack = new ServiceStack(services, { cwd: ROOT, env });
    afterAll(async () => {
      const notes = await stack.stopAll();
      if (notes.length > 0) throw new Error(notes.join('\n'));
    }, 120_000);

    for (const block of blocks) {
      if (block.kind === 'service') {
        it(`${where(block)} service ${block.attrs.id ?? '?'}`, { timeout: 3 * READY_TIMEOUT_MS + 120_000 }, async () => {
          const def = services.get(block.attrs.id ?? '');
          if (!def) throw new Error(`${where(block)}: a service block needs id=<id> and ready="<text>"`);
          await stack.startBlock({ ...def, file: block.file, line: block.line, script: block.body });
        });
      } else {
        const seconds = Number(block.attrs.timeout ?? RUN_TIMEOUT_MS / 1000);
        // `requires=<file>`: a file the reader brings (Microsoft's SCIM collection); without it the block is skipped,
        // and the report says so. CI puts the collection in place when it has one.
        const missing = block.attrs.requires !== undefined && !existsSync(join(ROOT, block.attrs.requires));
        it.skipIf(missing)(
          `${where(block)} run ${firstLine(block)}`,
          { timeout: seconds * 1000 + 3 * READY_TIMEOUT_MS + 120_000 },
          async () => {
            await runBlock(block, stack, seconds * 1000);
          },
        );
      }
    }
  });
}

function firstLine(block: Fence): string {
  const line = commandsOf(block.body)[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

async function runBlock(block: Fence, stack: ServiceStack, timeoutMs: number): Promise<void> {
  const needs = block.attrs.needs ?? 'start';
  if (needs !== 'none') await stack.ensure(needs);
  const started = Date.now();
  const shell = new Shell(block.body, { cwd: ROOT, env });
  const ended = await shell.waitExit(timeoutMs);
  // Whatever the block left running in the background goes with it.
  await shell.stopGroup('SIGTERM', 2_000);
  const ms = Date.now() - started;
  blockTimes.push({ at: where(block), ms });
  if (ended && shell.exitCode === 0) return;
  const why = ended ? `exited with ${shell.exitCode}` : `was still running after ${timeoutMs / 1000} s (stopped)`;
  throw new Error(
    [
      `${where(block)} (\`\`\`${block.info}) ${why} after ${(ms / 1000).toFixed(1)} s`,
      '--- the block ---',
      block.body,
      '--- the last lines of its output ---',
      tail(shell.output),
      stack.outputs(),
    ].join('\n'),
  );
}

afterAll(() => {
  if (blockTimes.length === 0 && serviceTimes.length === 0) return;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = ['docs test timings:'];
  for (const t of serviceTimes) lines.push(`  ${t.what.padEnd(5)} ${t.id.padEnd(22)} ${s(t.ms).padStart(8)}  (${t.at})`);
  const byPage = new Map<string, number>();
  for (const t of blockTimes) byPage.set(t.at.replace(/:\d+$/, ''), (byPage.get(t.at.replace(/:\d+$/, '')) ?? 0) + t.ms);
  for (const [page, ms] of byPage) lines.push(`  ${page}: run blocks ${s(ms)}`);
  console.log(lines.join('\n'));
});

describe('what the docs cover', () => {
  const commands = runBlocks(docs).flatMap((f) => commandsOf(f.body).map((command) => ({ at: where(f), command, words: words(command) })));

  it('every sender body in events/<sender>/ and events/scim/ is sent by `npm run send` in a run block', () => {
    const sent = new Set(commands.filter((c) => c.command.includes('npm run send')).flatMap((c) => c.words));
    const bodies = [...SENDER_NAMES, 'scim'].flatMap((dir) => readdirSync(join(ROOT, 'events', dir)).map((f) => `events/${dir}/${f}`));
    const missing = bodies.filter((b) => !sent.has(b));
    expect(missing, `no \`sh run\` block sends these with \`npm run send\`:\n${missing.join('\n')}`).toEqual([]);
  });

  it('every Lambda event in events/*.json and events/plan/ is invoked by `serverless invoke local` in a run block', () => {
    const invoked = new Set(commands.filter((c) => /\bserverless invoke local\b/.test(c.command)).flatMap((c) => c.words));
    const events = ['', 'plan/'].flatMap((dir) =>
      readdirSync(join(ROOT, 'events', dir))
        .filter((f) => f.endsWith('.json'))
        .map((f) => `events/${dir}${f}`),
    );
    const missing = events.filter((e) => !invoked.has(e));
    expect(missing, `no \`sh run\` block runs \`serverless invoke local\` with these:\n${missing.join('\n')}`).toEqual([]);
  });

  it('replay --dry-run, reconcile --dry-run and a real reconcile are run', () => {
    const has = (re: RegExp, test: (c: (typeof commands)[number]) => boolean = () => true) =>
      commands.some((c) => re.test(c.command) && test(c));
    const missing = [
      has(/\bnpm run replay -- .*--dry-run/) ? undefined : '`npm run replay -- --dry-run`',
      has(/\bnpm run reconcile -- /, (c) => c.words.includes('--dry-run')) ? undefined : '`npm run reconcile -- … --dry-run`',
      has(/\bnpm run reconcile -- /, (c) => !c.words.includes('--dry-run')) ? undefined : '`npm run reconcile -- …` without --dry-run',
    ].filter(Boolean);
    expect(missing, `no \`sh run\` block runs ${missing.join(', ')}`).toEqual([]);
  });

  it("the README's two commands are blocks: npm start as a service, npm test shown or run", () => {
    const readme = docs.find((p) => p.file === 'README.md');
    const fences = readme?.fences ?? [];
    const start = fences.some((f) => f.kind === 'service' && commandsOf(f.body).some((c) => /^(npm ci && )?npm start$/.test(c)));
    const test = fences.some(
      (f) => (f.kind === 'run' || f.kind === 'illustration') && commandsOf(f.body).some((c) => /^(npm ci && )?npm test\b/.test(c)),
    );
    expect(
      { start, test },
      'README.md needs a ```sh service``` block with `npm ci && npm start` (or `npm start`) and a ```sh illustration``` (or run) block with `npm test`',
    ).toEqual({ start: true, test: true });
  });
});

/** The words of a command, quotes removed, `./` dropped from paths. */
function words(command: string): string[] {
  return (command.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^["']|["']$/g, '').replace(/^\.\//, ''));
}

describe('links', () => {
  it('every relative link in the docs points to a file that exists, and to a heading it has', () => {
    const broken = docs.flatMap((p) =>
      linksOf(p.text).flatMap(({ line, target }) => {
        const problem = brokenLink(p.file, target);
        return problem ? [`${p.file}:${line}: (${target}) ${problem}`] : [];
      }),
    );
    expect(broken, `broken links:\n${broken.join('\n')}`).toEqual([]);
  });
});

describe('the repository stands alone', () => {
  // Kept as patterns, so that this file does not name what it looks for.
  const outside: [string, RegExp][] = [
    ['a path to the shared reference beside the clone', /\.\.\/shared\b/],
    ['the shared reference', /\bshared\/reference\b/],
    // A build machine's path; HiBob's field keys ("/work/title") are not one.
    ['a machine path', /\/work\/(?:(?:main|shared)\b|(?![A-Za-z]*["'`]))/],
  ];
  const numbers: [string, RegExp][] = [['an issue number a reader cannot open', /\bissues?\s+#?\d+\b|(?:^|[\s([])#\d{1,5}\b/i]];
  // CI may take Microsoft's SCIM collection from the shared reference beside the clone.
  const mayNameShared = new Set(['.ci/run']);

  it('no tracked file refers to the shared reference beside the clone, a machine path or an issue number', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f && f !== 'package-lock.json');
    const found: string[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(join(ROOT, file), 'utf8');
      } catch {
        continue; // listed but absent (deleted in the work tree), or a directory
      }
      if (text.includes('\0')) continue;
      const patterns = mayNameShared.has(file) ? numbers : [...outside, ...numbers];
      text.split('\n').forEach((line, i) => {
        for (const [what, re] of patterns) {
          const m = re.exec(line);
          if (m) found.push(`${file}:${i + 1}: ${what}: …${line.slice(Math.max(0, m.index - 30), m.index + m[0].length + 30).trim()}…`);
        }
      });
    }
    expect(found, `references a clone does not have:\n${found.join('\n')}`).toEqual([]);
  });
});

describe('the configuration page', () => {
  it('docs/configuration.md has a row for every setting serverless.yml, the settings schema and the senders name', () => {
    let text: string;
    try {
      text = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
    } catch {
      throw new Error('docs/configuration.md does not exist');
    }
    const rows = new Set([...text.matchAll(/^\s*\|\s*`([A-Za-z_][\w]*)`\s*\|/gm)].map((m) => m[1]!));
    const missing = allSettingNames().filter((name) => !rows.has(name));
    expect(missing, `docs/configuration.md has no row | \`NAME\` | … | for:\n${missing.join('\n')}`).toEqual([]);
  });
});
