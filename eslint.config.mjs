import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.demo/**', 'test-artifacts/**', '.versions/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The Cx client is plain TypeScript: usable and testable without Node-RED or the simulator.
    files: ['nodes/lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node-red', 'node-red/*', '@node-red/*'], message: 'nodes/lib/ has no Node-RED import.' },
            {
              group: ['**/simulator', '**/simulator/*', '../adapter', '../adapter/*', '../cx-*'],
              message: 'nodes/lib/ imports only its own files and packages.',
            },
          ],
        },
      ],
    },
  },
  {
    // The simulator stands alone: it shares no code with the client it tests.
    files: ['simulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/nodes', '**/nodes/*'], message: 'The simulator imports nothing from nodes/.' }] },
      ],
    },
  },
  {
    // Editor-side scripts inside .html are not linted; browser globals for any .js in nodes/
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
