import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadJobSpecFile } from '../src/index';

const examples = path.resolve(__dirname, '../../../examples');

describe('the examples/ job files', () => {
  it.each(fs.readdirSync(examples).filter((file) => file.endsWith('.yaml')).sort())('%s is a valid spec', (file) => {
    const result = loadJobSpecFile(path.join(examples, file));

    expect(result.ok ? 'valid' : result.message).toBe('valid');
  });
});
