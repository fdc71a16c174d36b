/** The run's cursor in the events table: one item per sender, `reconcile#<sender>`. */
import type { RecordStore } from '../store/ports';
import type { Cursor, CursorStore } from './run';

export function recordCursorStore(records: RecordStore): CursorStore {
  const key = (sender: string) => `reconcile#${sender}`;
  return {
    get: async (sender) => (await records.get<Cursor>(key(sender)))?.value,
    async put(sender, cursor) {
      // One run per sender at a time (the schedule's); the last writer wins, read again on a lost race.
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const current = await records.get<Cursor>(key(sender));
        if (await records.put(key(sender), cursor, current?.version)) return;
      }
    },
  };
}
