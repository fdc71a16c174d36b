/**
 * esbuild plugin (serverless.yml `custom.esbuild.plugins`): the packages a function loads only on first use are
 * built into files of their own beside the bundle (`handlers/vendor/*.cjs`, in every function's zip) instead of into
 * it. esbuild's CommonJS output cannot split code, and V8 parses the whole of a bundle when it loads, used or not:
 * undici (720 KB) and the events table's DynamoDB stack (≈ 250 KB) cost every door's cold start its largest part
 * while a door in queue mode never runs them (README, Benchmark (b)). In the bundle each such import becomes a
 * `require('./vendor/<group>.cjs')` evaluated where the import was (they all sit behind an `import()`: the bundles
 * test guards it). A group's packages share one file, so that one package's classes are the same objects for the
 * others (Powertools Idempotency and the DynamoDB client).
 */
const { build } = require('esbuild');
const { join } = require('node:path');

/** Vendor file → the package entry points it holds. Only packages: none of this project's own modules, whose
 * classes (errors above all) must stay one copy, in the bundle. */
const GROUPS = {
  undici: ['undici'],
  awsStore: ['@aws-sdk/client-dynamodb', '@aws-sdk/util-dynamodb', '@aws-lambda-powertools/idempotency', '@aws-lambda-powertools/idempotency/dynamodb'],
};
const GROUP_OF = new Map(Object.entries(GROUPS).flatMap(([group, specs]) => specs.map((spec) => [spec, group])));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const FILTER = new RegExp(`^(${[...GROUP_OF.keys()].map(escape).join('|')})$`);

/** Built once per output folder and process: serverless-esbuild builds each function into the same folder. */
const built = new Map();
function buildVendors(options) {
  const outdir = join(options.outdir, 'vendor');
  if (!built.has(outdir)) {
    built.set(
      outdir,
      Promise.all(
        Object.entries(GROUPS).map(([group, specs]) =>
          build({
            stdin: { contents: `module.exports = {${specs.map((s) => `${JSON.stringify(s)}: require(${JSON.stringify(s)})`).join(', ')}};`, resolveDir: process.cwd(), loader: 'js' },
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
  }
  return built.get(outdir);
}

/** @type {import('esbuild').Plugin} */
const vendors = {
  name: 'vendors',
  setup(b) {
    b.onResolve({ filter: FILTER }, (args) => (args.kind === 'import-statement' || args.kind === 'dynamic-import' || args.kind === 'require-call' ? { path: args.path, namespace: 'vendor' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`./vendor/${GROUP_OF.get(args.path)}.cjs`)})[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/vendor\// }, (args) => (args.namespace === 'vendor' ? { path: args.path, external: true } : undefined));
    b.onEnd(async (result) => {
      if (result.errors.length === 0 && b.initialOptions.write !== false && b.initialOptions.outdir) await buildVendors(b.initialOptions);
    });
  },
};

module.exports = [vendors];
module.exports.GROUPS = GROUPS;
