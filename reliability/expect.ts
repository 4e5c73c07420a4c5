import { leakedTokens, type SuiteResult } from './suite';

/** What a suite's short-form test asserts: no failure, every figure on target, no token in its output. */
export function expectOnTarget(r: SuiteResult): void {
  expect(r.failures).toEqual([]);
  expect(r.figures.filter((f) => !f.ok)).toEqual([]);
  expect(leakedTokens(r.output ?? '')).toEqual([]);
}
