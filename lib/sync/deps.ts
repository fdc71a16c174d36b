import type { People } from '../docspace/people';
import type { RoleMap } from '../roles';

/** What a sync rule may use: the DocSpace calls, the settings it needs and the time it has. */
export interface SyncDeps {
  people: People;
  roles: RoleMap;
  reassignUserId?: string;
  /** Milliseconds left before the function must answer. */
  remainingMs: () => number;
  /** This event started a type change that DocSpace was still running when it last answered: follow it, not anew. */
  resumeTypeChange?: boolean;
  /** Waits between progress polls; injectable so unit tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
}
