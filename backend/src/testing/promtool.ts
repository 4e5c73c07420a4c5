import { execFile } from 'node:child_process';
import fs from 'node:fs';

const PROMTOOL = '/usr/bin/promtool';

/**
 * Runs Debian's `promtool check metrics` on an exposition text and returns what it printed. Fails (never skips)
 * when promtool is missing: CI installs the `prometheus` package.
 */
export async function promtoolCheck(text: string): Promise<string> {
  if (!fs.existsSync(PROMTOOL)) throw new Error('promtool is missing: apt-get install -y prometheus');
  return new Promise((resolve) => {
    const child = execFile(PROMTOOL, ['check', 'metrics'], { encoding: 'utf8' }, (_err, stdout, stderr) =>
      resolve(stdout + stderr),
    );
    child.stdin?.end(text);
  });
}

/** promtool's linter also flags naming conventions; only these mean the format is broken. */
export const PROMTOOL_FORMAT_ERROR = /error while linting|text format parsing error/;
