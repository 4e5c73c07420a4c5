/** One Jest run over every workspace; TypeScript through SWC (type checking is `npm run typecheck`). */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }];

module.exports = {
  testEnvironment: 'node',
  roots: [
    '<rootDir>/model/src',
    '<rootDir>/backend/src',
    '<rootDir>/harness/src',
    '<rootDir>/deploy',
    '<rootDir>/dashboards',
    '<rootDir>/reliability',
  ],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': swc },
  // slow suites (kill -9, servers) run in their own workers; two cores here
  maxWorkers: 2,
  testTimeout: 30000,
};
