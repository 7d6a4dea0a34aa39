import * as fs from 'node:fs';
import * as path from 'node:path';
import { ruleOf } from '@kiln/settings';
import { WorkerSettings, workerVariables } from './config';

/** `variable → [default, accepted]` cells of the README's Configuration table. */
function readmeConfigurationTable(): Map<string, [string, string]> {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
  const start = readme.indexOf('\n## Configuration\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return new Map(rows.map((row) => {
    const [, variable, defaultCell, accepted] = row.split('|').map((cell) => cell.trim());
    return [variable.replace(/`/g, ''), [defaultCell, accepted]];
  }));
}

describe('README Configuration table', () => {
  it('lists every variable the apps read with the default and accepted values of the code', () => {
    const fromCode = Object.entries(workerVariables).map(([field, variable]): [string, [string, string]] => [
      variable.name,
      [variable.default === undefined ? '—' : `\`${variable.default}\``, ruleOf(WorkerSettings, field) ?? `(no rule for ${field})`],
    ]);

    expect(readmeConfigurationTable()).toEqual(new Map(fromCode));
  });
});
