// Jest runs the compiled tests (npm test builds first), as native ES modules.
export default {
  testEnvironment: 'node',
  // Jest 30 'soft deletes' globals a test file left behind and wraps them in accessors whose setter calls
  // itself (Maximum call stack size exceeded when the next file in the worker sets one): keep it off.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  roots: ['<rootDir>/dist/test'],
  testMatch: ['**/*.test.js'],
  transform: {},
  testTimeout: 120000,
  maxWorkers: 2,
};
