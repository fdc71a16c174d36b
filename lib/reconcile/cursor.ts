/** The run's cursor in the events table: one item per sender, `reconcile#<sender>`. */
import { compareAndSet } from '../store/compareAndSet';
import type { Clock, RecordStore } from '../store/ports';
import type { Cursor, CursorStore } from './run';

export function recordCursorStore(records: RecordStore, clock: Clock): CursorStore {
  const key = (sender: string) => `reconcile#${sender}`;
  return {
    get: async (sender) => (await records.get<Cursor>(key(sender)))?.value,
    async put(sender, cursor) {
      // One run per sender at a time (the schedule's); the last writer wins, read again on a lost race.
      await compareAndSet<Cursor>(records, clock, key(sender), () => cursor);
    },
  };
}
