// typescript-eslint's type-checked rules (recommendedTypeChecked) over every TypeScript file tsconfig.json checks.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.esbuild/', '.serverless/', 'bench/.package/', '**/*.cjs', '**/*.mjs', '**/*.mts'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A name that starts with `_` is unused on purpose (a rest sibling left out, a parameter an interface requires).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // The ports are Promise-returning interfaces; their in-memory doubles and plan-mode stores stay `async` without
      // awaiting anything, so that a throw becomes a rejection as it does in the real adapters.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The tests read the functions' JSON answers (SCIM resources, lists, errors) member by member: what they assert;
    // and they hand a double's methods to `expect` and to other doubles.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
