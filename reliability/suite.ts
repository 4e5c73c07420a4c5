/**
 * The contract of a reliability suite (`reliability/suites/<name>.ts`, default export): it runs bounded in time,
 * in a short form (CI, through `<name>.test.ts` beside it) or the full form (`npm run reliability`), and returns
 * figures, each beside its target, that docs/reliability.md quotes with the command that measured them.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

export interface SuiteOptions {
  /** the CI form: fewer inputs, shorter soaks; the full form when false */
  short: boolean;
  /** seed for generated inputs and random moments, so that a failure can be replayed, @default 1 */
  seed: number;
  /** progress lines; the runner also keeps them to check that no secret was logged */
  log: (line: string) => void;
}

export interface Figure {
  /** what was measured, e.g. "API fuzz: inputs" */
  name: string;
  /** the target, e.g. "≥ 100,000" */
  target: string;
  /** what this run reached, with its unit */
  measured: string;
  ok: boolean;
}

export interface SuiteResult {
  suite: string;
  figures: Figure[];
  /** failures found, each named so that a reader can reproduce it */
  failures: string[];
  /** what the suite saw beside its figures (peers, versions, caveats) */
  notes?: string[];
  /** everything the suite's processes printed (backends, devices), for the secret check */
  output?: string;
}

export type Suite = (opts: SuiteOptions) => Promise<SuiteResult>;

export function figure(name: string, target: string, measured: string, ok: boolean): Figure {
  return { name, target, measured, ok };
}

/** Tokens the suites configure on their backends: none of them may appear in any log line, error or /metrics. */
export const SUITE_TOKENS = {
  read: 'rel-read-6f1d2c9e8b7a4f30a1',
  operate: 'rel-operate-0c4b7e2a9d1f3e58b2',
  admin: 'rel-admin-93e1a7c4f0b2d6e1c3',
  jobs: 'rel-jobs-4d8f2b6a1e9c7035d4',
} as const;

/** The secrets that leaked into `text`, by name. */
export function leakedTokens(text: string): string[] {
  return Object.entries(SUITE_TOKENS)
    .filter(([, t]) => text.includes(t))
    .map(([name]) => name);
}

/** A full collection before a memory sample, so samples compare live memory rather than GC timing. */
export function fullGc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** Resident memory in MiB of this process. */
export function rssMiB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}
