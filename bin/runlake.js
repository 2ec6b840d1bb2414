#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx, so `npm start` needs no build step.
import { register } from 'tsx/esm/api';

// The AWS SDK warns that it will need a newer Node.js in the future; Runlake supports Node 20 now.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../src/cli/main.ts');
