#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx, so `npm start` needs no build step.

// DuckDB runs queries on libuv's worker threads; with the default 4, a few long queries would
// starve crypto (SCRAM, scrypt) and file I/O. This must be set before anything uses the pool,
// hence before the (dynamic) imports below. An explicit setting wins.
process.env.UV_THREADPOOL_SIZE ??= '64';
// The AWS SDK warns that it will need a newer Node.js in the future; Runlake supports Node 20 now.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { register } = await import('tsx/esm/api');
register();
await import('../src/cli/main.ts');
