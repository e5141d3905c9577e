import Module from 'node:module';
import { resolve } from 'node:path';

// Jest applies `moduleNameMapper` to test files but not to globalSetup/globalTeardown, which
// run in the parent process: map the workspace's `@rasoat/*` aliases here for those two.
const root = resolve(__dirname, '../../..');
const { compilerOptions } = require(resolve(root, 'tsconfig.base.json')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
const aliases = new Map(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, resolve(root, target)]),
);
const mod = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const original = mod._resolveFilename;
mod._resolveFilename = function (request: string, ...rest: unknown[]) {
  return original.call(this, aliases.get(request) ?? request, ...rest);
};
