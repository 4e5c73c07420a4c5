/**
 * The benches' last resort: SIGKILL every process they started — on exit and on SIGINT/SIGTERM — so an
 * interrupted or failed run leaves no backend, broker or store behind. `trees()` lists the pids to kill (each
 * tree parent first; children are killed first). Returns the kill, for a bench to call between phases too.
 */
export function killOnExit(trees: () => Iterable<readonly number[]>, what: string): () => void {
  const killAll = () => {
    for (const pids of trees())
      for (const p of [...pids].reverse())
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // gone
        }
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      console.error(`${sig}: killing ${what}`);
      killAll();
      process.exit(130);
    });
  return killAll;
}
