#!/usr/bin/env node
// Runs a TypeScript entry point with SWC (decorator metadata included) and the workspace's
// path aliases: `node scripts/run.js apps/cli/src/main.ts -- args`.
const path = require('node:path');
const root = path.resolve(__dirname, '..');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(root, 'tsconfig.base.json');
require('@swc-node/register');
const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.js <entry.ts> [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(root, entry), ...rest];
require(path.resolve(root, entry));
