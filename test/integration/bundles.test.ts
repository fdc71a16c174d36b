/**
 * What each function's bundle evaluates when it loads: the modules reachable from the handler without passing an
 * `import()`. undici, the events table's DynamoDB client and the SDK's Secrets Manager and SQS clients sit behind
 * one (lazy loading, README "Architecture"): each is in the bundle, evaluated only when an invocation first needs it,
 * so that a door in queue mode verifies and enqueues without undici or DynamoDB; one static import anywhere brings
 * them back into every cold start. Built with esbuild as serverless-esbuild builds the bundles (CommonJS, Node 22).
 */
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** Inputs reachable from the entry by static imports and `require` only, and those reachable at all. */
async function reachable(entry: string): Promise<{ eager: Set<string>; all: Set<string> }> {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outdir: 'out',
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'silent',
  });
  const walk = (follow: (kind: Metafile['inputs'][string]['imports'][number]['kind']) => boolean) => {
    const seen = new Set<string>([entry]);
    const queue = [entry];
    for (let path = queue.pop(); path !== undefined; path = queue.pop()) {
      for (const edge of metafile.inputs[path]?.imports ?? []) {
        if (edge.external || !follow(edge.kind) || seen.has(edge.path)) continue;
        seen.add(edge.path);
        queue.push(edge.path);
      }
    }
    return seen;
  };
  return { eager: walk((kind) => kind !== 'dynamic-import'), all: walk(() => true) };
}

const matching = (paths: Set<string>, pattern: RegExp) => [...paths].filter((p) => pattern.test(p));
const UNDICI = /node_modules\/undici\//;
const DYNAMODB = /node_modules\/@aws-sdk\/client-dynamodb\/|lib\/store\/dynamoDb\.ts$|node_modules\/@aws-lambda-powertools\/idempotency\//;
/** The doors' two AWS clients: Secrets Manager (through Powertools Parameters) and SQS, made on the first call. */
const SECRETS_MANAGER = /node_modules\/@aws-sdk\/client-secrets-manager\/|node_modules\/@aws-lambda-powertools\/parameters\//;
const SQS = /node_modules\/@aws-sdk\/client-sqs\//;
/** The SDK's credential chain, which every client uses. */
const CREDENTIAL_CHAIN = /node_modules\/@aws-sdk\/credential-provider-node\//;

describe('bundles load only what their invocation uses', () => {
  it.each(['userCreated', 'oktaHook', 'scim', 'worker'])(
    '%s: undici, the DynamoDB, Secrets Manager and SQS clients are evaluated on first use, not when the bundle loads',
    async (fn) => {
      const { eager, all } = await reachable(`handlers/${fn}.ts`);
      // Reachable, behind an import():
      for (const pattern of [UNDICI, DYNAMODB, SECRETS_MANAGER, SQS, CREDENTIAL_CHAIN]) expect(matching(all, pattern)).not.toEqual([]);
      // …and not evaluated when the bundle loads.
      for (const pattern of [UNDICI, DYNAMODB, SECRETS_MANAGER, SQS, CREDENTIAL_CHAIN]) expect(matching(eager, pattern)).toEqual([]);
    },
  );

  it.each(['userCreated', 'oktaHook', 'worker'])(
    "%s: the SCIM door's users and groups and reconciliation are evaluated only by the functions that serve them",
    async (fn) => {
      const { eager } = await reachable(`handlers/${fn}.ts`);
      expect(
        matching(eager, /lib\/scim\/(compose|users|groups|store|patch|filter)\.ts$|node_modules\/(scim-patch|scim2-parse-filter)\//),
      ).toEqual([]);
      expect(matching(eager, /lib\/reconcile\//)).toEqual([]);
    },
  );
});
