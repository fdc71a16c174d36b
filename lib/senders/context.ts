/**
 * A sender's context for one delivery (or one reconcile run): its mapping, the role map, its options, and a client
 * for its API, opened on first use, that counts the requests it made (the delivery's log line, reconcile's report).
 */
import type { HttpClient } from '../net/http';
import type { RetryClock } from '../net/retry';
import type { RoleMap } from '../roles';
import type { SenderContext, SenderMapping } from './kit/adapter';
import { openSenderApi, type SenderApi } from './kit/api';
import { senderEntry, type Sender } from './registry';

interface SenderContextDeps {
  mapping: SenderMapping;
  roles: RoleMap;
  options: Record<string, string>;
  /** The sender's API base URL, when set. */
  apiUrl?: string;
  /** This sender's entry in the sender API secret. */
  credentials: () => Promise<unknown>;
  /** The container's pools to the senders' APIs (senderPools). */
  pools: (baseUrl: string) => HttpClient;
  clock: RetryClock;
}

export function senderContext(sender: Sender, deps: SenderContextDeps): SenderContext & { readonly apiCalls: number } {
  const entry = senderEntry(sender);
  let api: Promise<SenderApi> | undefined;
  let opened: SenderApi | undefined;
  return {
    sender,
    mapping: deps.mapping,
    roles: deps.roles,
    options: deps.options,
    api: () =>
      (api ??= openSenderApi({
        sender,
        access: entry.adapter.api,
        baseUrl: deps.apiUrl,
        urlSetting: entry.apiUrl.setting,
        credentials: deps.credentials,
        pools: deps.pools,
        clock: deps.clock,
      }).then((client) => (opened = client))),
    get apiCalls() {
      return opened?.calls ?? 0;
    },
  };
}
