// ESLint flat config. Beyond the recommended rules it enforces the module boundaries of
// ARCHITECTURE.md §2: browser code in app/ imports server code as types only, and only
// app/utils/env.server.ts (plus test and build harnesses) reads process.env.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import globals from 'globals';

const SERVER_ONLY_PACKAGES = [
  'kysely',
  'pg',
  'pg-cursor',
  '@electric-sql/pglite',
  'onnxruntime-node',
  '@huggingface/transformers',
];

export default tseslint.config(
  {
    ignores: [
      'build/**',
      'public/build/**',
      'node_modules/**',
      '.arbiter/**',
      'test-results/**',
      'playwright-report/**',
      // personal scratch files (git-ignored)
      '.scratch/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through app/utils/env.server.ts.',
        },
      ],
    },
  },
  {
    files: ['app/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks, 'jsx-a11y': jsxA11y },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...jsxA11y.flatConfigs.recommended.rules,
      'jsx-a11y/no-autofocus': 'off',
    },
  },
  {
    // Browser-reachable modules: anything in app/ that is not *.server.ts(x) and not a route
    // (routes' loaders/actions are stripped from the browser bundle by the Remix compiler).
    files: [
      'app/components/**/*.{ts,tsx}',
      'app/root.tsx',
      'app/entry.client.tsx',
      'app/utils/**/*.{ts,tsx}',
    ],
    ignores: ['app/**/*.server.{ts,tsx}', 'app/**/*.test.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // tasks/*.schema.ts hold zod schemas shared with the browser
              group: ['**/db/*', '**/tasks/*', '!**/tasks/*.schema', '**/reward/*', '**/scripts/*'],
              allowTypeImports: true,
              message: 'Reach db/, tasks/ and reward/ through app/utils/*.server.ts.',
            },
          ],
          paths: SERVER_ONLY_PACKAGES.map((name) => ({
            name,
            allowTypeImports: true,
            message: 'Server-only package.',
          })),
        },
      ],
    },
  },
  {
    files: [
      'app/utils/env.server.ts',
      'tests/**',
      'scripts/bin/**',
      'scripts/bench/**',
      'playwright.config.ts',
      '**/*.test.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['db/**/*.ts', 'tasks/**/*.ts', 'reward/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/app/*', '**/scripts/*'],
              message: 'db/, tasks/ and reward/ never import the app or the CLI.',
            },
          ],
        },
      ],
    },
  },
);
