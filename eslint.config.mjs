import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';

// The SDK's lib/ paths are internal and change without notice: public entry points only.
const publicSdkOnly = {
  group: ['@temporalio/*/lib', '@temporalio/*/lib/*'],
  message: "Import from the package's public entry point; @temporalio/*/lib/* is internal.",
};

const above = (...layers) => layers.map((layer) => `./${layer}`);

// Imports run downhill only (ARCHITECTURE.md): domain/security ← config ← activities ← workflows ← client/worker.
const layerZones = [
  {
    target: above('domain', 'security'),
    from: above('config', 'activities', 'workflows', 'client', 'worker', 'devstack', 'scripts', 'bench', 'test'),
    message: 'domain/ and security/ are the ground: they import nothing of ours above them.',
  },
  {
    target: './config',
    from: above('activities', 'workflows', 'client', 'worker', 'devstack', 'scripts', 'bench', 'test'),
    message: 'config/ sits below the worker and the API: it imports only domain/ and security/.',
  },
  {
    target: './activities',
    from: above('workflows', 'client', 'worker', 'config'),
    message: 'Activities never import workflows, clients or the worker; shared shapes live in domain/.',
  },
  {
    target: './workflows',
    from: './activities',
    except: ['./index.ts'],
    message: 'Workflows take only the activity interface type from activities/index.ts; shared shapes live in domain/.',
  },
  {
    target: './workflows',
    from: above('client', 'worker', 'config'),
    message: 'Workflows import only domain/ and, for proxies, the activity interface type.',
  },
  { target: './client', from: './worker', message: 'client/ and worker/ do not import each other; see config/.' },
  { target: './worker', from: './client', message: 'client/ and worker/ do not import each other; see config/.' },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      '.tools',
      '.stack',
      '.scratch',
      'coverage',
      'test-results',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    // Without a resolver for .ts the import-x rules cannot follow our imports and report nothing.
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] })],
    },
    rules: {
      // Forgetting to await Activities and Workflow APIs is bad.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: layerZones }],
      'no-restricted-imports': ['error', { patterns: [publicSdkOnly] }],
    },
  },
  {
    // Workflow code is bundled into a deterministic sandbox: no Node built-ins, no AWS SDK.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...builtinModules, ...builtinModules.map((name) => `node:${name}`)],
          patterns: [
            publicSdkOnly,
            { group: ['@aws-sdk/*'], message: 'Workflows call AWS only through activities.' },
            {
              group: ['../activities', '../activities/*'],
              allowTypeImports: true,
              message: 'Workflows import only the type of the activity interface (import type).',
            },
          ],
        },
      ],
    },
  },
);
