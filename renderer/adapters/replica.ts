// renderer/ (adapter) — the console's Dexie replica of the journal: records by seq, plus cached reference data,
// so a reload shows every incident at once and only the missing tail is fetched from the core.
import Dexie, { type Table } from 'dexie';
import type { JournalRecord } from '../../shared/events';
import type { StateSnapshot } from '../../shared/incidents';
import type { ReferenceData } from '../../shared/model';

interface MetaRow {
  key: string;
  value: unknown;
}

class ReplicaDb extends Dexie {
  records!: Table<JournalRecord, number>;
  meta!: Table<MetaRow, string>;
  constructor() {
    // Strict durability: a record the console has stored survives a power cut of the console PC.
    super('station-replica', { chromeTransactionDurability: 'strict' });
    this.version(1).stores({ records: 'seq', meta: 'key' });
  }
}

export interface Replica {
  load(): Promise<{ records: JournalRecord[]; snapshot?: StateSnapshot; reference?: ReferenceData; journalId?: string }>;
  addRecords(records: JournalRecord[]): Promise<void>;
  /** Replaces what is held by the core's snapshot; records after it are added as they come. */
  saveSnapshot(snapshot: StateSnapshot): Promise<void>;
  saveReference(reference: ReferenceData): Promise<void>;
  /** Drops everything when the core's journal is a different one (a reset station). */
  bindJournal(journalId: string): Promise<boolean>;
}

export function openReplica(): Replica {
  const db = new ReplicaDb();
  // Every write runs in call order: a journal switch (clear) must never overtake records that came after it.
  let queue: Promise<unknown> = Promise.resolve();
  let pending: JournalRecord[] = [];
  let flushing: Promise<void> | undefined;
  let flushNow: (() => void) | undefined;
  // Leaving the page (reload, close): write what is waiting now rather than in 150 ms.
  window.addEventListener('pagehide', () => flushNow?.());
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
  // Ask the browser not to evict the replica under storage pressure (best effort; may be refused).
  void navigator.storage?.persist?.().catch(() => false);
  return {
    async load() {
      const [records, ref, jid, snap] = await Promise.all([
        db.records.orderBy('seq').toArray(),
        db.meta.get('reference'),
        db.meta.get('journalId'),
        db.meta.get('snapshot'),
      ]);
      const snapshot = snap?.value as StateSnapshot | undefined;
      return {
        // Records older than the snapshot (a write queued before it arrived) are already in it.
        records: snapshot ? records.filter((r) => r.seq > snapshot.seq) : records,
        ...(snapshot ? { snapshot } : {}),
        ...(ref ? { reference: ref.value as ReferenceData } : {}),
        ...(jid ? { journalId: jid.value as string } : {}),
      };
    },
    addRecords(records) {
      // Records that arrive while a write is queued join one bulkPut: one IndexedDB transaction per burst.
      // The replica is a cache of the core's journal (a reload catches up what it lacks), so writes may wait
      // 150 ms to share one transaction: under a burst the console's main thread stays free for alarms.
      pending.push(...records);
      flushing ??= new Promise<void>((resolve, reject) => {
        flushNow = () => {
          clearTimeout(timer);
          flushNow = undefined;
          serial(async () => {
            const batch = pending;
            pending = [];
            flushing = undefined;
            if (batch.length > 0) await db.records.bulkPut(batch);
          }).then(resolve, reject);
        };
        const timer = setTimeout(() => flushNow?.(), 150);
      });
      return flushing;
    },
    saveSnapshot(snapshot) {
      return serial(() =>
        db.transaction('rw', db.records, db.meta, async () => {
          await db.records.clear();
          await db.meta.put({ key: 'snapshot', value: snapshot });
        }),
      );
    },
    saveReference(reference) {
      return serial(async () => {
        await db.meta.put({ key: 'reference', value: reference });
      });
    },
    bindJournal(journalId) {
      return serial(() =>
        db.transaction('rw', db.records, db.meta, async () => {
          const current = await db.meta.get('journalId');
          if (current?.value === journalId) return false;
          await db.records.clear();
          await db.meta.delete('snapshot');
          await db.meta.put({ key: 'journalId', value: journalId });
          return current !== undefined;
        }),
      );
    },
  };
}
