// Lint rules that keep the codebase honest: typed rules everywhere, and a fence around
// workflow code so nothing non-deterministic (Node built-ins, activity implementations,
// clients) can be imported into it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.stack/**', 'coverage/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'os', 'net', 'http', 'child_process'],
              message: 'Workflow code must be deterministic: no Node built-ins.',
            },
            {
              group: ['**/activities/*', '!**/activities/types'],
              message: 'Import activities as types only (import type).',
              allowTypeImports: true,
            },
            {
              group: ['kafkajs', 'ioredis', 'postgres', 'kysely', 'hono', 'pino'],
              message: 'No I/O clients in workflow code.',
            },
          ],
        },
      ],
    },
  },
);
