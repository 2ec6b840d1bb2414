/** Generated docs are committed; they must match what the code generates now (`npm run docs`). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_DOCS } from '../src/cli/commands/docs.ts';

describe('generated docs are current', () => {
  for (const [rel, make] of Object.entries(GENERATED_DOCS)) {
    it(`docs/${rel}`, () => {
      const committed = readFileSync(join(import.meta.dirname, '..', 'docs', rel), 'utf8');
      assert.ok(committed === make(), `docs/${rel} is out of date: run \`npm run docs\``);
    });
  }
});
