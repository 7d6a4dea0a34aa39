import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseJobSpec } from './parse-job-spec';

// Every file a batch writes has one owner, counting the names a workflow's own batch_size and
// `outputs: all` add: two items writing one name would silently replace one image with another.

const portrait = JSON.parse(fs.readFileSync(path.join(__dirname, '../../tests/fixtures/workflows/portrait.api.json'), 'utf8'));

/** The portrait workflow with a second SaveImage ("Preview"), its first titled "Final". */
function twoOutputs(firstTitle = 'Final'): string {
  return JSON.stringify({
    ...portrait,
    '9': { ...portrait['9'], _meta: { title: firstTitle } },
    '10': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'preview' }, _meta: { title: 'Preview' } },
  });
}

function parse(items: string, files: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-names-'));
  fs.writeFileSync(path.join(dir, 'portrait.json'), JSON.stringify(portrait));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const yaml = [
    'version: 1',
    'output: { dir: out }',
    'defaults: { checkpoint: a.safetensors, seed: 1 }',
    'workflows:',
    '  portrait: { file: portrait.json, bind: { prompt: "6.inputs.text" } }',
    ...Object.keys(files).map((name) => `  ${name.replace('.json', '')}: { file: ${name}, bind: { prompt: "6.inputs.text" } }`),
    'items:',
    items,
  ].join('\n');
  return parseJobSpec(yaml, { baseDir: dir, sourceName: 'spec.yaml' });
}

function messageOf(result: ReturnType<typeof parse>): string {
  if (result.ok) throw new Error('the spec was accepted');
  return result.message;
}

describe('output names are unique across the whole spec', () => {
  it("refuses an item whose file a workflow's batch_size already makes, naming both items", () => {
    const message = messageOf(
      parse('  - { name: Bob, prompt: a, workflow: portrait, set: { "5.inputs.batch_size": 2 } }\n  - { name: Bob 1, prompt: b, workflow: portrait }'),
    );

    expect(message).toContain('items[1].name');
    expect(message).toContain('makes bob-1.png, which items[0] "Bob" also makes (batch_size 2 of its workflow)');
    expect(message).toContain('"Bob 1"');
  });

  it('refuses the same clash when the batch item comes second, reporting the later one', () => {
    const message = messageOf(
      parse('  - { name: Bob 1, prompt: b, workflow: portrait }\n  - { name: Bob, prompt: a, workflow: portrait, set: { "5.inputs.batch_size": 2 } }'),
    );

    expect(message).toContain('items[1].name');
    expect(message).toContain('makes bob-1.png (batch_size 2 of its workflow), which items[0] "Bob 1" also makes:');
  });

  it('counts count and batch_size together: bob-1-2.png of a 2 × 2 item against an item "Bob 1 2"', () => {
    const message = messageOf(
      parse('  - { name: Bob, prompt: a, count: 2, workflow: portrait, set: { "5.inputs.batch_size": 2 } }\n  - { name: Bob 1 2, prompt: b, workflow: portrait }'),
    );

    expect(message).toContain('makes bob-1-2.png, which items[0] "Bob" also makes (count: 2; batch_size 2 of its workflow)');
  });

  it('refuses clashes between outputs: all names (<slug>.<node title>.png)', () => {
    const message = messageOf(
      parse('  - { name: Bob, prompt: a, count: 2, workflow: two, outputs: all }\n  - { name: Bob 1, prompt: b, workflow: two, outputs: all }', { 'two.json': twoOutputs() }),
    );

    expect(message).toContain('makes bob-1.final.png (outputs: all, a file per node: final, preview), which items[0] "Bob" also makes (count: 2; outputs: all, a file per node: final, preview)');
  });

  it('refuses a node title that numbers like a batch: bob-1.final-1.png', () => {
    const message = messageOf(
      parse(
        '  - { name: Bob, prompt: a, count: 2, workflow: two, outputs: all, set: { "5.inputs.batch_size": 2 } }\n' +
          '  - { name: Bob 1, prompt: b, workflow: other, outputs: all }',
        { 'two.json': twoOutputs(), 'other.json': twoOutputs('Final 1') },
      ),
    );

    expect(message).toContain('makes bob-1.final-1.png');
  });

  it.each([
    ['numbers beyond the batch', '  - { name: Bob, prompt: a, workflow: portrait, set: { "5.inputs.batch_size": 2 } }\n  - { name: Bob 3, prompt: b, workflow: portrait }'],
    ['a number where the batch has none', '  - { name: Bob, prompt: a, count: 2, workflow: portrait, set: { "5.inputs.batch_size": 2 } }\n  - { name: Bob 1, prompt: b, workflow: portrait }'],
    ['a leading zero', '  - { name: Bob, prompt: a, count: 2 }\n  - { name: Bob 01, prompt: b }'],
    ['outputs: all against one output', '  - { name: Bob, prompt: a, count: 2, workflow: two, outputs: all }\n  - { name: Bob 1, prompt: b, workflow: portrait }'],
    ['a longer name that only starts alike', '  - { name: Bob, prompt: a, count: 2 }\n  - { name: Bobby 1, prompt: b }'],
  ])('accepts names that only look alike: %s', (_case, items) => {
    const result = parse(items, { 'two.json': twoOutputs() });

    expect(result.ok ? 'accepted' : result.message).toBe('accepted');
  });

  it('checks a spec of 10,000 images in batches of 4096 (41 million names) without listing them', () => {
    const items = Array.from({ length: 99 }, (_, i) => `  - { name: Item ${i + 1}, prompt: p, count: 100, workflow: portrait, set: { "5.inputs.batch_size": 4096 } }`);
    items.push('  - { name: Item 7 100 4096, prompt: p, workflow: portrait }');
    const started = Date.now();

    const message = messageOf(parse(items.join('\n')));

    expect(Date.now() - started).toBeLessThan(5000);
    expect(message).toContain('items[99].name: makes item-7-100-4096.png, which items[6] "Item 7" also makes (count: 100; batch_size 4096 of its workflow)');
  });
});
