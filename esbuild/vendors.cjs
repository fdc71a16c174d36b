/**
 * esbuild plugin (serverless.yml `custom.esbuild.plugins`): the packages a function loads only on first use are
 * built into files of their own beside the bundle (`handlers/vendor/*.cjs`, in every function's zip) instead of into
 * it. esbuild's CommonJS output cannot split code, and V8 parses the whole of a bundle when it loads, used or not:
 * undici (720 KB) and the events table's DynamoDB stack (250 KB) cost every door's cold start its largest part
 * while a door in queue mode never runs them (README, Benchmark (b)). In the bundle each such import becomes a
 * `require('./vendor/<group>.cjs')` evaluated where the import was (they all sit behind an `import()`: the bundles
 * test guards it). A group's packages share one file, so that one package's classes are the same objects for the
 * others (Powertools Idempotency and the DynamoDB client). A vendor file holds what this project imports by name
 * (tree-shaken, as in a bundle), or a whole package where it is imported otherwise (`import('undici')`).
 */
const { build } = require('esbuild');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Vendor file → the package entry points it holds. Only packages: none of this project's own modules, whose
 * classes (errors above all) must stay one copy, in the bundle. */
const GROUPS = {
  undici: ['undici'],
  // …and the SDK's credential chain, which the DynamoDB client uses and lib/aws/awsJson.ts falls back on.
  awsStore: ['@aws-sdk/client-dynamodb', '@aws-sdk/util-dynamodb', '@aws-lambda-powertools/idempotency', '@aws-lambda-powertools/idempotency/dynamodb', '@aws-sdk/credential-provider-node'],
};
const GROUP_OF = new Map(Object.entries(GROUPS).flatMap(([group, specs]) => specs.map((spec) => [spec, group])));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const FILTER = new RegExp(`^(${[...GROUP_OF.keys()].map(escape).join('|')})$`);
/** The vendor file's export that stands for one package. */
const exportOf = (spec) => `m_${spec.replace(/[^A-Za-z0-9]/g, '_')}`;

/** What the project imports from each package: a set of names, or 'all'. Filled as the bundles resolve. */
const wanted = new Map();
function note(spec, importer, kind) {
  if (wanted.get(spec) === 'all') return;
  const names = [];
  let named = false;
  if (kind === 'import-statement') {
    const source = readFileSync(importer, 'utf8');
    for (const m of source.matchAll(new RegExp(`import\\s+(type\\s+)?\\{([^}]*)\\}\\s*from\\s*['"]${escape(spec)}['"]`, 'g'))) {
      named = true;
      if (m[1]) continue;
      for (const part of (m[2] ?? '').split(',')) {
        const name = part.trim().split(/\s+as\s+/)[0]?.trim();
        if (name && !name.startsWith('type ')) names.push(name);
      }
    }
  }
  if (!named) return void wanted.set(spec, 'all');
  const set = wanted.get(spec) ?? new Set();
  for (const n of names) set.add(n);
  wanted.set(spec, set);
}

function entryOf(specs) {
  return specs
    .map((spec, i) => {
      const w = wanted.get(spec);
      if (w === undefined) return `export const ${exportOf(spec)} = {};`;
      if (w === 'all') return `import * as ns${i} from ${JSON.stringify(spec)};\nexport const ${exportOf(spec)} = ns${i};`;
      const names = [...w].sort();
      return `import { ${names.map((n, j) => `${n} as n${i}_${j}`).join(', ')} } from ${JSON.stringify(spec)};\nexport const ${exportOf(spec)} = { ${names.map((n, j) => `${n}: n${i}_${j}`).join(', ')} };`;
    })
    .join('\n');
}

/** Built per output folder, again only when the wanted names grew (serverless-esbuild builds each function there). */
const built = new Map();
function buildVendors(options) {
  const outdir = join(options.outdir, 'vendor');
  const previous = built.get(outdir) ?? { key: '', done: Promise.resolve() };
  const key = JSON.stringify([...wanted].map(([s, w]) => [s, w === 'all' ? w : [...w].sort()]).sort());
  if (key === previous.key) return previous.done;
  const done = previous.done.then(() =>
    Promise.all(
      Object.entries(GROUPS).map(([group, specs]) =>
        build({
          stdin: { contents: entryOf(specs), resolveDir: process.cwd(), loader: 'js', sourcefile: `vendor-${group}.js` },
          outfile: join(outdir, `${group}.cjs`),
          bundle: true,
          format: 'cjs',
          platform: 'node',
          target: options.target,
          minify: options.minify,
          mainFields: options.mainFields,
          supported: options.supported,
          external: options.external,
          logLevel: 'warning',
        }),
      ),
    ),
  );
  built.set(outdir, { key, done });
  return done;
}

/** @type {import('esbuild').Plugin} */
const vendors = {
  name: 'vendors',
  setup(b) {
    b.onResolve({ filter: FILTER }, (args) => {
      if (args.kind !== 'import-statement' && args.kind !== 'dynamic-import' && args.kind !== 'require-call') return undefined;
      note(args.path, args.importer, args.kind);
      return { path: args.path, namespace: 'vendor' };
    });
    b.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`./vendor/${GROUP_OF.get(args.path)}.cjs`)}).${exportOf(args.path)};`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/vendor\// }, (args) => (args.namespace === 'vendor' ? { path: args.path, external: true } : undefined));
    b.onEnd(async (result) => {
      if (result.errors.length === 0 && b.initialOptions.write !== false && b.initialOptions.outdir) await buildVendors(b.initialOptions);
    });
  },
};

module.exports = [vendors];
