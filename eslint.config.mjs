// Lint: typescript-eslint's strict, type-checked rules over everything TypeScript in the
// repository; formatting is Prettier's, so no stylistic rule is enabled here.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'docs/api/', 'bench/results/', 'test/consumers/', 'scratch/', '.stryker-tmp/', 'reports/'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts', 'vitest.mutation.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // With noUncheckedIndexedAccess, `!` is how the code tells the compiler an index it has
      // just checked (or built) exists; a runtime check there would be a branch no input reaches.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Error messages name the numbers and flags they are about.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `(x) => list.push(x)` as a listener is the idiom; a void function body elsewhere still counts.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // `{ dropped: _, ...kept }` takes a property out; `_`-named parameters are there for a signature.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Vitest's asymmetric matchers (`expect.objectContaining(...)`) are typed `any` by design.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    // A conformance case runs the same way in Node, a page and a worker: every `run` is async by
    // contract, whether or not a given case awaits anything.
    files: ['test/conformance/cases/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false },
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly' },
    },
  },
);
