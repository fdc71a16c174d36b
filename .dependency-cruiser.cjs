/**
 * Architecture rules as code (dependency-cruiser). Run: npm run lint:architecture
 *
 * Everything flows one way: doors → pipeline → sync rules → DocSpace port (docs/architecture.md, "The shape").
 * LAYERS below says, for every part of lib/ (a folder, or a file at its root), which other parts it may import:
 * anything not listed is an error, type-only imports included (they are a dependency of the design all the same).
 * A part may always import its own files. A folder or root file of lib/ without a line here fails the run, and so
 * does a table whose lines would allow a cycle between parts.
 */
const fs = require('node:fs');
const path = require('node:path');

/** What everything above them may use: the outcomes, JSON parsing, the logger, the metrics. */
const SHARED = ['outcome.ts', 'json.ts', 'log.ts', 'metrics'];

/**
 * part → { may: the parts it may import, why }. A part is a folder of lib/ ('docspace'), a subfolder with a rule of
 * its own ('senders/kit', which its parent's rule then leaves out), or one file ('docspace/types.ts').
 */
const LAYERS = {
  // The leaves: they know nothing of the service.
  'outcome.ts': { may: [], why: 'every outcome, its HTTP status, and ServiceError: everything uses them, they use nothing' },
  'events.ts': { may: [], why: 'the canonical event schema (zod): what every door produces and every rule consumes' },
  'json.ts': { may: ['outcome.ts'], why: 'JSON parsed against a schema; a malformed body is a RefusedEvent' },
  'log.ts': { may: ['events.ts'], why: 'the logger, and the keys that tie a line to an event' },
  metrics: { may: [], why: 'EMF metrics: what is counted, with which dimensions' },
  net: {
    may: [],
    why: 'the HTTP client and the retry policy that DocSpace, the senders and the stores share: it knows none of them, so each can use it',
  },

  // The DocSpace port and what the rules are written in.
  docspace: {
    may: ['net', ...SHARED],
    why: 'the DocSpace port (client, People, Groups, answer schemas): the bottom of the flow; it knows no event, rule, sender or door',
  },
  'roles.ts': {
    may: ['docspace/types.ts', 'outcome.ts'],
    why: 'role names → DocSpace user types, and the refusal of a role the map does not know',
  },

  // Ports and their adapters beside the flow.
  store: {
    may: ['net', 'events.ts', ...SHARED],
    why: 'the events table behind ports (records, key sets, idempotency, the clock): it knows no rule, pipeline or door',
  },
  secrets: { may: ['net', ...SHARED], why: 'the secrets port and Secrets Manager behind it' },
  'senders/kit': {
    may: ['net', 'roles.ts', 'events.ts', ...SHARED],
    why: 'what sender adapters share (the adapter shape, body parsing, signatures, the API client, translation): it knows no adapter and not the registry',
  },
  senders: {
    may: ['senders/kit', 'net', 'roles.ts', 'events.ts', ...SHARED],
    why: 'one adapter per sender, and the registry that lists them: payloads → canonical events; they know no door, pipeline, rule or DocSpace call (DocSpace types only through the role map)',
  },

  // The flow.
  sync: {
    may: ['docspace', 'roles.ts', 'events.ts', ...SHARED],
    why: 'the sync rules, one per event type: they read and write DocSpace and return an outcome; they never see a door, a sender or the pipeline',
  },
  pipeline: {
    may: ['sync', 'docspace', 'store', 'net', 'roles.ts', 'events.ts', ...SHARED],
    why: 'exactly once, in order, per member: it knows no door, sender, queue or plan',
  },
  plan: {
    may: ['pipeline', 'docspace', 'store', 'roles.ts', 'events.ts', ...SHARED],
    why: 'plan mode: the pipeline composed over a recording DocSpace port and write-less stores; composed, not known (nothing below it imports it)',
  },

  // The doors: they turn a request into canonical events and answer it.
  queue: {
    may: ['pipeline', 'net', 'roles.ts', 'events.ts', ...SHARED],
    why: 'the queue port and SQS, ingress (queue mode at the doors), the worker door, replay',
  },
  http: {
    may: ['pipeline', 'plan', 'queue', 'senders', 'secrets', 'events.ts', ...SHARED],
    why: "the HTTP doors (canonical, sender), their middlewares and a delivery's answer",
  },
  scim: {
    may: ['http', 'pipeline', 'docspace', 'store', 'secrets', 'roles.ts', 'events.ts', ...SHARED],
    why: "the SCIM 2.0 door: lib/http's transport middlewares, users as canonical events, groups ↔ DocSpace groups",
  },
  reconcile: {
    may: ['pipeline', 'plan', 'queue', 'senders', 'sync/contacts.ts', 'docspace', 'store', 'roles.ts', 'events.ts', ...SHARED],
    why: "the reconcile door and its run: roster + DocSpace pages + ownership → drift → events (the contacts drift is judged by the contacts rule's own merge)",
  },
  schedule: {
    may: ['pipeline', ...SHARED],
    why: "the follow-ups' door: the pipeline's kept work, then what else waits (SCIM's group offers, through a port)",
  },

  // Composition, and the one tool inside lib/.
  'settings.ts': {
    may: ['senders', 'roles.ts', 'docspace/types.ts', ...SHARED],
    why: "the settings, read and checked once per container; each sender's own are named by its registry entry",
  },
  'services.ts': {
    may: [],
    why: 'the composition root: builds the ports from the settings and hands them to the doors; it composes, and holds no logic of its own',
  },
  preflight: {
    may: [],
    why: "checks a setup from outside (npm run preflight) with the functions' own readers and clients; nothing the functions run imports it",
  },
};
// The composition root may import every other part but the tool; the tool, every other part.
LAYERS['services.ts'].may = Object.keys(LAYERS).filter((part) => part !== 'services.ts' && part !== 'preflight');
LAYERS.preflight.may = Object.keys(LAYERS).filter((part) => part !== 'preflight');

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The paths of a part: a file, or everything under a folder. */
const pattern = (part) => (part.endsWith('.ts') ? `^lib/${escape(part)}$` : `^lib/${escape(part)}/`);
/** The part a file (or a part named more narrowly) belongs to: the longest part that contains it. */
const ownerOf = (target) =>
  Object.keys(LAYERS)
    .filter((part) => target === part || target.startsWith(`${part}/`))
    .sort((a, b) => b.length - a.length)[0];

// Every folder and root file of lib/ has a line.
const unruled = fs
  .readdirSync(path.join(__dirname, 'lib'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() || entry.name.endsWith('.ts'))
  .map((entry) => entry.name)
  .filter((name) => !(name in LAYERS));
if (unruled.length > 0)
  throw new Error(`.dependency-cruiser.cjs: no LAYERS line for lib/${unruled.join(', lib/')}: say what it may import`);

// The table itself allows no cycle between parts.
const visiting = new Set();
const done = new Set();
const visit = (part, trail) => {
  if (done.has(part)) return;
  if (visiting.has(part)) throw new Error(`.dependency-cruiser.cjs: LAYERS allows a cycle: ${[...trail, part].join(' → ')}`);
  visiting.add(part);
  for (const target of LAYERS[part].may) {
    const owner = ownerOf(target);
    if (!owner) throw new Error(`.dependency-cruiser.cjs: LAYERS.${part} names ${target}, which is no part`);
    if (owner !== part) visit(owner, [...trail, part]);
  }
  visiting.delete(part);
  done.add(part);
};
for (const part of Object.keys(LAYERS)) visit(part, []);

/** One rule per part: from its files, to any file of lib/ that is neither its own nor allowed. */
const layerRules = Object.entries(LAYERS).map(([part, { may, why }]) => {
  const narrower = Object.keys(LAYERS).filter((other) => other.startsWith(`${part}/`));
  return {
    name: `lib/${part}`,
    severity: 'error',
    comment: `lib/${part}: ${why}. It may import ${may.length ? may.map((p) => `lib/${p}`).join(', ') : 'nothing else of lib/'}.`,
    from: { path: pattern(part), ...(narrower.length ? { pathNot: narrower.map(pattern) } : {}) },
    to: { path: '^lib/', pathNot: [pattern(part), ...may.map(pattern)] },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import cycle, type-only imports included: module initialisation order becomes fragile, and two modules ' +
        'that need each other are one module, or share something that belongs below both.',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'lib-not-to-handlers',
      severity: 'error',
      comment: 'handlers/ are the Lambda entry points, the outermost layer; lib/ must never depend on them.',
      from: { path: '^lib/' },
      to: { path: '^handlers/' },
    },
    {
      name: 'preflight-is-a-tool',
      severity: 'error',
      comment:
        "lib/preflight checks a setup from outside (npm run preflight) with the functions' own readers and clients. " +
        'Nothing the functions run depends on it, so it never ends up in a bundle.',
      from: { path: '^(lib|handlers)/', pathNot: '^lib/preflight/' },
      to: { path: '^lib/preflight/' },
    },
    {
      name: 'production-not-to-tooling',
      severity: 'error',
      comment:
        'handlers/ and lib/ are what gets deployed; local emulators, tests, scripts and benchmarks are ' +
        'dev-only and must never be bundled into a Lambda.',
      from: { path: '^(lib|handlers)/' },
      to: { path: '^(local|test|scripts|bench)/' },
    },
    {
      name: 'handlers-only-to-lib',
      severity: 'error',
      comment:
        'handlers/ are thin wiring: each one only composes a door and services from lib/. Any other ' +
        'import (another handler, local/, a root file, a node: builtin) means logic is leaking into the ' +
        'entry point - put it behind lib/ instead. (npm packages are excluded from the graph.)',
      from: { path: '^handlers/' },
      to: { pathNot: '^lib/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'This import cannot be resolved to a file on disk: a missing/renamed module or a package ' +
        'that is not installed. It would break typecheck and bundling.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Build output the benchmark leaves behind (bench/.package) is not source.
    exclude: { path: ['node_modules', '^bench/\\.package/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
