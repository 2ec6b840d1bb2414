import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chunksToRewrite, planChunks } from '../../src/lake/chunks.ts';

const counts = (o: Record<number, number>) => new Map(Object.entries(o).map(([d, n]) => [Number(d), n]));

describe('day chunks of a month', () => {
  it('keeps a small month in one chunk covering every day', () => {
    assert.deepEqual(planChunks(counts({ 3: 10, 20: 5 }), 100), [{ from: 1, to: 31 }]);
    assert.deepEqual(planChunks(new Map(), 100), [{ from: 1, to: 31 }]);
  });
  it('cuts a busy month into contiguous ranges of about the target', () => {
    const c = counts(Object.fromEntries(Array.from({ length: 31 }, (_, i) => [i + 1, 10])));
    const plan = planChunks(c, 100);
    assert.deepEqual(plan, [{ from: 1, to: 10 }, { from: 11, to: 20 }, { from: 21, to: 30 }, { from: 31, to: 31 }]);
  });
  it('never leaves a day uncovered, even one busier than the target', () => {
    assert.deepEqual(planChunks(counts({ 5: 500 }), 100), [{ from: 1, to: 31 }]);
    assert.deepEqual(planChunks(counts({ 5: 500, 9: 1 }), 100), [{ from: 1, to: 8 }, { from: 9, to: 31 }]);
  });
  it('rewrites only the chunks with changed days, and splits one that grew', () => {
    const existing = [{ from: 1, to: 10 }, { from: 11, to: 20 }, { from: 21, to: 31 }];
    const r = chunksToRewrite(existing, new Set([12]), counts({ 12: 10 }), 100);
    assert.deepEqual(r, { drop: [{ from: 11, to: 20 }], write: [{ from: 11, to: 20 }] });
    const grown = chunksToRewrite(existing, new Set([12]), counts({ 11: 150, 15: 150 }), 100);
    assert.deepEqual(grown.write, [{ from: 11, to: 14 }, { from: 15, to: 20 }]);
  });
  it('writes uncovered changed days as the gap around them', () => {
    const r = chunksToRewrite([{ from: 1, to: 10 }, { from: 21, to: 31 }], new Set([15]), counts({ 15: 1 }), 100);
    assert.deepEqual(r, { drop: [], write: [{ from: 11, to: 20 }] });
  });
});
