/** The long suite's reading of the docs (test/long/support): fences and their kinds, GitHub's anchors, links, settings. */
import { describe, expect, it } from 'vitest';
import { anchorsOf, brokenLink, commandsOf, fencesOf, linksOf } from '../long/support/markdown';
import { serviceDefinitions, withoutInstall } from '../long/support/services';
import { senderSettingNames, serverlessEnvironmentNames } from '../long/support/settings';

describe('fences', () => {
  const page = [
    '# T',
    '```sh run needs=emulators',
    'npm run send -- a.json \\',
    '  --id x   # a comment',
    '```',
    '   ```sh service id=start ready="Server ready"',
    '   npm ci && npm start',
    '   ```',
    '````markdown',
    '```sh',
    'not a fence of its own',
    '```',
    '````',
    '```bash',
    'untagged',
    '```',
    '```json',
    '{}',
    '```',
  ].join('\n');
  const fences = fencesOf('p.md', page);

  it('reads the language, the kind and the attributes, quoted or not, at the fence line', () => {
    expect(fences.map((f) => [f.line, f.lang, f.kind, f.attrs])).toEqual([
      [2, 'sh', 'run', { needs: 'emulators' }],
      [6, 'sh', 'service', { id: 'start', ready: 'Server ready' }],
      [9, 'markdown', undefined, {}],
      [14, 'bash', undefined, {}],
      [17, 'json', undefined, {}],
    ]);
    expect(fences[1]!.body).toBe('npm ci && npm start');
  });

  it('joins continued lines and drops comments to find the commands', () => {
    expect(commandsOf(fences[0]!.body)).toEqual(['npm run send -- a.json --id x']);
  });

  it('starts a service from what follows `npm ci &&` in the repository', () => {
    expect(withoutInstall('npm ci && npm start')).toBe('npm start');
    expect(withoutInstall('npm start')).toBe('npm start');
  });

  it('accepts a service defined twice the same way, not differently', () => {
    const twice = fencesOf(
      'a.md',
      '```sh service id=start ready="Server ready"\nnpm ci && npm start\n```\n```sh service id=start ready="Server ready"\nnpm start\n```\n',
    );
    expect(serviceDefinitions(twice).problems).toEqual([]);
    const differently = fencesOf(
      'a.md',
      '```sh service id=start ready="Server ready"\nnpm start\n```\n```sh service id=start ready="ready"\nnpm start\n```\n',
    );
    expect(serviceDefinitions(differently).problems).toEqual(['a.md:4: service id=start is already defined differently at a.md:1']);
  });
});

describe('anchors and links', () => {
  it('slugs headings as GitHub does: markup and punctuation dropped, repeats numbered', () => {
    const anchors = anchorsOf(
      [
        '# Getting started',
        '## `npm run send` — signed samples',
        '## Setup',
        '## Setup',
        '### Queue mode (SQS, FIFO)',
        '```sh run',
        '# not a heading',
        '```',
        '## a_b *c*',
      ].join('\n'),
    );
    expect([...anchors]).toEqual(['getting-started', 'npm-run-send--signed-samples', 'setup', 'setup-1', 'queue-mode-sqs-fifo', 'a_b-c']);
  });

  it('finds inline links, reference definitions and HTML links, not code', () => {
    const links = linksOf(
      ['See [a](docs/a.md#x) and `[b](no.md)`.', '[ref]: ../up.md', '<a href="c.md">c</a>', '```', '[d](d.md)', '```'].join('\n'),
    );
    expect(links).toEqual([
      { line: 1, target: 'docs/a.md#x' },
      { line: 2, target: '../up.md' },
      { line: 3, target: 'c.md' },
    ]);
  });

  it('resolves a link from its page and checks the anchor of a markdown target', () => {
    expect(brokenLink('events/README.md', '../package.json')).toBeUndefined();
    expect(brokenLink('events/README.md', 'https://example.com/x')).toBeUndefined();
    expect(brokenLink('events/README.md', 'nothere.md')).toBe('events/nothere.md does not exist');
    expect(brokenLink('README.md', 'events/README.md#sample-events')).toBeUndefined();
    expect(brokenLink('README.md', 'events/README.md#no-such-heading')).toBe(
      'events/README.md has no heading with the anchor #no-such-heading',
    );
  });
});

describe('settings', () => {
  it("reads serverless.yml's provider and function environments, not other maps", () => {
    const yaml = [
      'provider:',
      '  environment:',
      '    # a comment',
      "    A_SETTING: ${env:A_SETTING, 'x'}",
      '    B_SETTING: y',
      '  iam: {}',
      'functions:',
      '  one:',
      '    handler: h',
      '    environment:',
      '      C_SETTING: z',
      '    events: []',
      'resources:',
      '  Resources:',
      '    X:',
      '      environment:',
      '        NOT_ONE: 1',
    ].join('\n');
    expect(serverlessEnvironmentNames(yaml)).toEqual(['A_SETTING', 'B_SETTING', 'C_SETTING']);
  });

  it("names each sender's API URL and option settings", () => {
    expect(senderSettingNames()).toEqual(expect.arrayContaining(['OKTA_ORG_URL', 'OKTA_AUTH_HEADER', 'BAMBOOHR_API_URL', 'HIBOB_API_URL']));
  });
});
