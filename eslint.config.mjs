import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';

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
    rules: {
      // Forgetting to await Activities and Workflow APIs is bad.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'import-x/no-cycle': 'error',
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
          patterns: [{ group: ['@aws-sdk/*'], message: 'Workflows call AWS only through activities.' }],
        },
      ],
    },
  },
);
