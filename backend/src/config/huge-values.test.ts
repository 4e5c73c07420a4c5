import fs from 'node:fs';
import path from 'node:path';
import { parseConfig } from './load';
import { CONNECTOR_NAMES } from '../connectors/all';
import { didYouMean } from './schema-parts';

/**
 * Found by the file fuzz suite (reliability/suites/file-fuzz.ts, full form): a 100,000-character value in an
 * enum field of plenum.yaml (an asset's `type`) took 5.8 s to refuse (13.8 s on a busy machine), all of it in the
 * "did you mean" edit distance against every enum value. Refusing it is now as quick as any other error.
 */
describe('a huge value in a config field is refused quickly', () => {
  it('skips did-you-mean candidates that cannot be close', () => {
    // no timing here (the file fuzz suite's slowest-input figure judges speed): that no hint comes back is the check
    expect(didYouMean('A'.repeat(100_000), ['server', 'pdu', 'crah', 'cdu', 'sensor'])).toBe('');
    expect(didYouMean('sever', ['server', 'pdu'])).toBe(' (did you mean "server"?)');
  });

  it('names the field of a 100 kB asset type', () => {
    const text = fs
      .readFileSync(path.resolve(__dirname, '../../../plenum.yaml'), 'utf8')
      .replace(/type: crah/, `type: ${'A'.repeat(100_000)}`);
    expect(() => parseConfig(text, 'big.yaml', { connectors: CONNECTOR_NAMES, env: {} })).toThrow(
      /big\.yaml: site\.halls\[0\]\.[^:]*\.type: /,
    );
  });
});
