const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

// The kernel and the embedded runtime know nothing of processes (issue 17's one door): the words the old
// distributed hooks went by may not come back, in names, strings or comments.
const PROCESS_WORDS = /elsewhere|frozen|parked/i;
const processFree = ['Identifier[name=', 'Literal[value=', 'TemplateElement[value.raw='].map((s) => ({
  selector: `${s}${PROCESS_WORDS}]`,
  message: 'libs/kernel and libs/runtime know nothing of processes: a hop that leaves goes through the door',
}));

module.exports = tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', '.cache/**', 'tools/**/target/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['libs/kernel/**/*.ts', 'libs/runtime/**/*.ts'],
    rules: {
      'no-warning-comments': ['error', { terms: ['elsewhere', 'frozen', 'parked'], location: 'anywhere' }],
      'no-restricted-syntax': ['error', ...processFree],
    },
  },
  {
    // The kernel model is deterministic: time comes from the SimClock, randomness from the seeded Rng.
    files: ['libs/kernel/**/*.ts', 'libs/wire/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'use the SimClock (ctx.now)' },
        { object: 'Math', property: 'random', message: 'use the seeded Rng' },
        { object: 'performance', property: 'now', message: 'use the SimClock (ctx.now)' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date']", message: 'use the SimClock' },
        ...processFree,
      ],
      'no-restricted-imports': [
        'error',
        // Node's fs and os by exact name: the kernel model's own fs/ (fs/namei.ts, include/linux/fs.ts) is allowed.
        { paths: ['fs', 'os'], patterns: ['@nestjs/*', 'kafkajs', 'ioredis', 'node:*'] },
      ],
    },
  },
  {
    files: ['**/*.js', 'bin/*'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
  },
);
