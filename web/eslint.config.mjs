// ESLint for the browser code in web/static/js (run by scripts/test before the Python tests:
// `web/node_modules/.bin/eslint web/static/js`). ESLint's recommended rules, plus the ones
// that catch real bugs in this code: a misspelt or Node-only global, a loose comparison, a
// name used before it is defined or hiding another, a function that only sometimes returns.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["static/vendor/**", "node_modules/**"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      // Only what a browser has: a Node global (process, require) in page code is a bug.
      globals: { ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      eqeqeq: ["error", "always"],
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "all", ignoreRestSiblings: true }],
      "no-use-before-define": ["error", { functions: false, classes: true, variables: true }],
      "no-shadow": ["error", { builtinGlobals: false }],
      "no-var": "error",
      "prefer-const": "error",
      "no-implicit-globals": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-eval": "error",
      "no-alert": "error",
      "no-return-assign": "error",
      "no-self-compare": "error",
      "no-template-curly-in-string": "error",
      "no-unmodified-loop-condition": "error",
      "no-unreachable-loop": "error",
      "no-promise-executor-return": "error",
      "no-constructor-return": "error",
      "array-callback-return": "error",
      "default-param-last": "error",
      "consistent-return": "error",
      radix: "error",
    },
  },
  {
    // Loaded with `nomodule` (a classic script for browsers without ES modules).
    files: ["static/js/unsupported-browser.js"],
    languageOptions: { sourceType: "script", ecmaVersion: 5 },
  },
];
