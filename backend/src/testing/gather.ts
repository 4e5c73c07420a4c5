/** Test helper (not shipped code): one poll of a connector, its samples and the error it threw, if any. */
import type { PolledConnector, SourceSample } from '../connectors/types';

export async function gatherAll(
  c: Pick<PolledConnector, 'gather'>,
): Promise<{ samples: SourceSample[]; error?: string }> {
  const samples: SourceSample[] = [];
  try {
    await c.gather(async (s) => void samples.push(...s));
    return { samples };
  } catch (e) {
    return { samples, error: (e as Error).message };
  }
}
