/**
 * Writes `schema/plenum.schema.json` from the zod schema: `tsx backend/src/config/write-json-schema.ts`.
 * With `--check` it writes nothing and exits 1 when the checked-in file differs (for CI).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JSON_SCHEMA_FILE, renderJsonSchema } from './json-schema';

function main(): void {
  const text = renderJsonSchema();
  const current = fs.existsSync(JSON_SCHEMA_FILE) ? fs.readFileSync(JSON_SCHEMA_FILE, 'utf8') : undefined;
  const rel = path.relative(process.cwd(), JSON_SCHEMA_FILE);
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
  fs.mkdirSync(path.dirname(JSON_SCHEMA_FILE), { recursive: true });
  fs.writeFileSync(JSON_SCHEMA_FILE, text);
  console.log(`wrote ${rel}`);
}

main();
