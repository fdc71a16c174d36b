/**
 * Architecture rules as code (dependency-cruiser).
 *
 * Layers, forward only:
 *   handlers → lib/http → lib/pipeline → lib/sync → lib/docspace
 * with lib/senders, lib/store and lib/secrets as side modules that must not reach
 * back up into the HTTP edge, and local/, test/, scripts/, bench/ as tooling that
 * production code (handlers/, lib/) never depends on.
 *
 * Run: npm run lint:architecture
 */

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Runtime import cycles make module initialisation order fragile and blur layer boundaries. ' +
        'Type-only imports are erased at compile time and are ignored here.',
      from: {},
      to: {
        circular: true,
        dependencyTypesNot: ['type-only'],
        viaOnly: { dependencyTypesNot: ['type-only'] },
      },
    },
    {
      name: 'lib-not-to-handlers',
      severity: 'error',
      comment: 'handlers/ are the Lambda entry points, the outermost layer; lib/ must never depend on them.',
      from: { path: '^lib/' },
      to: { path: '^handlers/' },
    },
    {
      name: 'inner-layers-not-to-http',
      severity: 'error',
      comment:
        'lib/http is the HTTP edge (requests, answers, doors). Pipeline, sync, docspace, senders, store and ' +
        'secrets sit below it and must stay transport-agnostic.',
      from: { path: '^lib/(pipeline|sync|docspace|senders|store|secrets|plan)/' },
      to: { path: '^lib/http/' },
    },
    {
      name: 'plan-mode-is-composed-not-known',
      severity: 'error',
      comment:
        'lib/plan composes the pipeline over a recording DocSpace port and write-less stores. The layers it ' +
        'composes must not know about it: the plan is made by the real rules, unchanged.',
      from: { path: '^lib/(pipeline|sync|docspace|senders|store|secrets)/' },
      to: { path: '^lib/plan/' },
    },
    {
      name: 'preflight-is-a-tool',
      severity: 'error',
      comment:
        'lib/preflight checks a setup from outside (npm run preflight) with the functions\' own readers and clients. ' +
        'Nothing the functions run depends on it, so it never ends up in a bundle.',
      from: { path: '^(lib|handlers)/', pathNot: '^lib/preflight/' },
      to: { path: '^lib/preflight/' },
    },
    {
      name: 'sync-docspace-not-to-pipeline-or-senders',
      severity: 'error',
      comment:
        'lib/sync and lib/docspace are the domain core; they must not know about the delivery pipeline ' +
        'or about which source system (sender) an event came from.',
      from: { path: '^lib/(sync|docspace)/' },
      to: { path: '^lib/(pipeline|senders)/' },
    },
    {
      name: 'docspace-not-to-sync',
      severity: 'error',
      comment: 'lib/docspace is the lowest layer (the DocSpace API client); lib/sync builds on it, never the reverse.',
      from: { path: '^lib/docspace/' },
      to: { path: '^lib/sync/' },
    },
    {
      name: 'net-is-a-leaf',
      severity: 'error',
      comment:
        'lib/net is the transport and the retry policy that DocSpace, the senders and the stores share; it knows ' +
        'none of them (nor any other part of lib/), so that each can use it without a cycle.',
      from: { path: '^lib/net/' },
      to: { path: '^lib/', pathNot: '^lib/net/' },
    },
    {
      name: 'senders-not-to-upper-layers',
      severity: 'error',
      comment:
        'lib/senders translate source-system payloads into canonical events; they must not reach into ' +
        'the pipeline, the sync rules or the HTTP edge.',
      from: { path: '^lib/senders/' },
      to: { path: '^lib/(pipeline|sync|http)/' },
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
