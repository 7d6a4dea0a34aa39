import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadJobSpecFile, parseJobSpec } from '../src/index';

interface Expectation {
  fragments: string[];
  paths: string[];
  /** Exact number of issues, when it matters that nothing else is reported. */
  count?: number;
}

const dir = path.join(__dirname, 'bad-specs');
const expectations = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, Expectation>;
const files = fs.readdirSync(dir).filter((file) => /\.(ya?ml|json)$/.test(file) && file !== 'expected.json').sort();

describe('bad job specs', () => {
  it('has an expectation for every bad spec file and a corpus of at least 25', () => {
    expect(files.filter((file) => !expectations[file])).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  it.each(files)('rejects %s with every expected message and path at once', (file) => {
    const expected = expectations[file];

    const result = loadJobSpecFile(path.join(dir, file));

    if (result.ok) throw new Error(`${file} was accepted`);
    for (const fragment of expected.fragments) expect(result.message).toContain(fragment);
    expect(result.issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(expected.paths));
    if (expected.count !== undefined) expect(result.issues).toHaveLength(expected.count);
  });

  it('refuses a 5 MB file before reading it, with its size in the message', () => {
    const big = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-spec-')), 'huge.yaml');
    fs.writeFileSync(big, `version: 1\n# ${'x'.repeat(5 * 1024 * 1024)}\n`);

    const result = loadJobSpecFile(big);

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('the file is 5.0 MB; job specs are limited to 1.0 MB');
    fs.rmSync(path.dirname(big), { recursive: true });
  });

  it('refuses oversized text given directly too', () => {
    const result = parseJobSpec(`# ${'x'.repeat(1024 * 1024)}`, { baseDir: dir });

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('job specs are limited to 1.0 MB');
  });

  it('does not run code from a YAML tag', () => {
    const marker = path.join(os.tmpdir(), `kiln-pwned-${process.pid}`);
    const text = `version: 1\noutput: { dir: !!js/function "function(){require('fs').writeFileSync('${marker}','x')}" }\n`;

    const result = parseJobSpec(text, { baseDir: dir });

    expect(result.ok).toBe(false);
    expect(fs.existsSync(marker)).toBe(false);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses a workflow file that is a symlink leaving the spec folder', () => {
    const specDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-link-'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.json'), '{}');
    fs.symlinkSync(path.join(outside, 'secret.json'), path.join(specDir, 'wf.json'));
    fs.writeFileSync(path.join(specDir, 'job.yaml'), 'version: 1\noutput: { dir: out }\nitems: [{ name: A, workflow: wf.json }]\n');

    const result = loadJobSpecFile(path.join(specDir, 'job.yaml'));

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain("outside the spec's folder");
    fs.rmSync(specDir, { recursive: true });
    fs.rmSync(outside, { recursive: true });
  });
});
