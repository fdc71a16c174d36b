/**
 * DocSpace for one invocation: the typed People and Groups calls over one client, whose retries the invocation's
 * remaining time bounds, and the number of requests they made. The composition root builds `DocSpaceFor` once per
 * container (over its pool, the API key and the clock); the doors that call DocSpace themselves take one per
 * invocation: SCIM (its reads, and the writes it makes itself: names, deletes, groups), the follow-ups' group
 * offers, reconcile's member pages, preflight's probe. The sync rules get theirs from the pipeline (apply.ts).
 */
import type { DocSpaceClient } from './client';
import { Groups } from './groups';
import { People } from './people';

export interface DocSpacePorts {
  readonly people: People;
  readonly groups: Groups;
  /** Requests sent so far, through either. */
  readonly calls: number;
}

/** DocSpace's People and Groups for an invocation with this much time left. */
export type DocSpaceFor = (remainingMs: () => number) => DocSpacePorts;

export function docspacePorts(client: DocSpaceClient): DocSpacePorts {
  return {
    people: new People(client),
    groups: new Groups(client),
    get calls() {
      return client.calls;
    },
  };
}
