import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecentChanges } from '../../src/ingest/recent-changes.ts';

const ch = (id: string, seq: number, doc: string | null = `{"process_id":"${id}","v":${seq}}`) => ({ process_id: id, seq, doc });

describe('recent changes: the in-memory log of the staging store', () => {
  it('gives the latest write of each process in a covered range, in sequence order', () => {
    const log = new RecentChanges();
    log.record(0, 3, [ch('a', 1), ch('b', 2)]); // seq 3 was a dirty mark
    log.record(3, 5, []); // a commit without processes (members)
    log.record(5, 8, [ch('a', 6), ch('c', 7, null)]);
    assert.deepEqual(log.between(0, 8)!.map((c) => [c.process_id, c.seq]), [['b', 2], ['a', 6], ['c', 7]]);
    assert.deepEqual(log.between(2, 8)!.map((c) => c.seq), [6, 7], 'only what is after `after`');
    assert.deepEqual(log.between(0, 5)!.map((c) => c.seq), [1, 2], 'only up to `upTo` (a pinned read)');
    assert.deepEqual(log.between(8, 8), []);
  });

  it('answers undefined when the range has a gap, starts before the log or ends after it', () => {
    const log = new RecentChanges();
    log.record(10, 12, [ch('a', 11)]);
    log.record(14, 15, [ch('b', 15)]); // 12..14 written by someone else
    assert.equal(log.between(9, 12), undefined, 'starts before the log');
    assert.deepEqual(log.between(10, 12)!.length, 1);
    assert.equal(log.between(10, 15), undefined, 'gap between 12 and 14');
    assert.equal(log.between(14, 16), undefined, 'ends after the log');
    assert.deepEqual(log.between(14, 15)!.map((c) => c.process_id), ['b']);
  });

  it('stays within its memory bound by dropping the oldest commits, and forgets what was applied', () => {
    const log = new RecentChanges(100);
    log.record(0, 1, [ch('a', 1, 'x'.repeat(60))]);
    log.record(1, 2, [ch('b', 2, 'y'.repeat(60))]);
    assert.equal(log.between(0, 2), undefined, 'the first commit was dropped');
    assert.deepEqual(log.between(1, 2)!.map((c) => c.process_id), ['b']);
    log.record(2, 3, [ch('c', 3, 'z')]);
    log.forgetThrough(2);
    assert.equal(log.between(1, 3), undefined);
    assert.deepEqual(log.between(2, 3)!.map((c) => c.process_id), ['c']);
  });
});
