import fs from 'node:fs';
import path from 'node:path';
import { DASHBOARDS } from './all';

/** `npm run dashboards`: writes dashboards/<name>.json from the typed sources (a test checks they match). */
export function dashboardJson(name: string): string {
  return `${JSON.stringify(DASHBOARDS[name]!(), null, 2)}\n`;
}

export const DASHBOARD_DIR = path.resolve(__dirname, '..');

if (require.main === module) {
  for (const name of Object.keys(DASHBOARDS)) {
    fs.writeFileSync(path.join(DASHBOARD_DIR, `${name}.json`), dashboardJson(name));
    console.log(`wrote dashboards/${name}.json`);
  }
}
