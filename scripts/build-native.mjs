#!/usr/bin/env node
/**
 * Builds the optional native row encoder (native/pgrows → native/pgrows/build/pgrows.node) with
 * the machine's C++ compiler and the running Node.js's own headers (no download). `npm install`
 * runs it. Without a compiler or headers it says so and exits 0: Runlake then writes text rows in
 * JavaScript (same bytes, slower). `--require` makes a failed build an error (CI).
 *
 *   node scripts/build-native.mjs [--require]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.argv.includes('--help')) {
  console.log('usage: node scripts/build-native.mjs [--require]\n  builds native/pgrows/build/pgrows.node (optional; --require: fail when it cannot be built)');
  process.exit(0);
}
const required = process.argv.includes('--require');
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'pgrows', 'pgrows.cc');
const outDir = join(root, 'native', 'pgrows', 'build');
const target = join(outDir, 'pgrows.node');
const cxx = process.env.CXX || 'g++';
// Official Node.js builds and distribution packages put the headers at <prefix>/include/node.
const headers = [resolve(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'].find((d) => existsSync(join(d, 'node_api.h')));

function skip(why) {
  const message = `runlake: native row encoder not built (${why}); rows are written in JavaScript instead`;
  if (required) {
    console.error(message);
    process.exit(1);
  }
  console.warn(message);
  process.exit(0);
}

if (!headers) skip('no Node.js headers (include/node/node_api.h) beside this Node.js');
mkdirSync(outDir, { recursive: true });
const tmp = `${target}.${process.pid}.tmp`;
try {
  // A module's N-API symbols are resolved against the node binary when it is loaded.
  const link = process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : [];
  execFileSync(cxx, ['-std=c++17', '-O2', '-fPIC', '-shared', '-fvisibility=hidden', '-Wall', '-Wextra', `-I${headers}`, ...link, '-o', tmp, source], { stdio: ['ignore', 'inherit', 'inherit'] });
} catch (e) {
  skip(`${cxx} failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
}
renameSync(tmp, target);
console.log(`runlake: built ${target}`);
