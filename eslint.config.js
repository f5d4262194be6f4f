// Lint: typescript-eslint's recommended rules, plus the layer rule of the design guide:
// src/core is pure and imports nothing outside src/core (no node:*, no packages).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!\\.{1,2}/)', message: 'src/core is pure: import only other src/core modules (no node:*, no packages).' },
            { regex: '^\\.\\./\\.\\.', message: 'src/core imports only src/core.' },
            { regex: '^\\.\\./(?!core/)', message: 'src/core imports only src/core.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'src/core has no I/O' }],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'the clock comes in as an argument' },
        { object: 'Math', property: 'random', message: 'randomness comes in as an argument' },
      ],
    },
  },
);
