/**
 * Writes `schema/plenum.schema.json` and `schema/scenario.schema.json` from the zod schemas:
 * `tsx backend/src/config/write-json-schema.ts`. With `--check` it writes nothing and exits 1 when a checked-in
 * file differs (for CI).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { publishedSchemas } from './json-schema';

function main(): void {
  for (const s of publishedSchemas()) write(s.file, s.text);
}

function write(file: string, text: string): void {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  const rel = path.relative(process.cwd(), file);
  if (process.argv.includes('--check')) {
    if (current === text) {
      console.log(`${rel} is up to date`);
      return;
    }
    console.error(`${rel} is out of date; run: npx tsx backend/src/config/write-json-schema.ts`);
    process.exitCode = 1;
    return;
  }
  if (current === text) {
    console.log(`${rel} unchanged`);
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  console.log(`wrote ${rel}`);
}

main();
