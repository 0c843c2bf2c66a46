// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', '.stack/**', 'libs/*/dist/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read settings through the validated config (apps/task-center/src/config).',
        },
      ],
    },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/*.fixtures.ts',
      '**/*.e2e-spec.ts',
      '**/*.int-spec.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'apps/task-center/src/config/**/*.ts',
      'apps/task-center/src/main.ts',
      // The CLI's process entry reads TASK_CENTER_URL and TASK_CENTER_API_KEY.
      'libs/client/src/cli/bin.ts',
      // Build settings: the output folder (tests build into a temporary one) and the dev proxy.
      'apps/dashboard/vite.config.mts',
    ],
    rules: {
      'no-restricted-syntax': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Response bodies from supertest are `any` by design; tests assert their shape instead.
    files: [
      '**/*.spec.ts',
      '**/*.fixtures.ts',
      '**/*.e2e-spec.ts',
      '**/*.int-spec.ts',
      'test/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
);
