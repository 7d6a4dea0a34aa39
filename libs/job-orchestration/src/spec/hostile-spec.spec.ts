import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseJobSpec } from './parse-job-spec';

// Specs and workflows written to hurt: prototype keys, absurd nesting and size, files that are not
// files. Each is a clear validation error, never a crash, a hang or a silently ignored setting.

const portrait = fs.readFileSync(path.join(__dirname, '../../tests/fixtures/workflows/portrait.api.json'), 'utf8');

function specDir(workflowText?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-hostile-spec-'));
  if (workflowText !== undefined) fs.writeFileSync(path.join(dir, 'wf.json'), workflowText);
  return dir;
}

function parse(dir: string, bind = '{ seed: "3.inputs.seed" }') {
  const yaml = `
version: 1
output: { dir: out }
defaults: { checkpoint: a.safetensors, workflow: mine }
items:
  - { name: A, prompt: a }
workflows:
  mine: { file: wf.json, bind: ${bind} }
`;
  return parseJobSpec(yaml, { baseDir: dir, sourceName: 'spec.yaml' });
}

function messageOf(result: ReturnType<typeof parse>): string {
  if (result.ok) throw new Error('the spec was accepted');
  return result.message;
}

describe('hostile specs and workflows', () => {
  it.each(['__proto__.inputs.seed', '3.inputs.__proto__', '3.inputs.constructor'])('rejects the bind path %s as a validation error', (bindPath) => {
    const message = messageOf(parse(specDir(portrait), `{ seed: "${bindPath}" }`));

    expect(message).toContain(`"${bindPath}" names`);
    expect(message).toContain('workflows.mine.bind.seed');
  });

  it('rejects a workflow nested 100,000 levels deep without overflowing the stack', () => {
    const deep = `{"3": {"class_type": "X", "inputs": {"a": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}}`;

    expect(messageOf(parse(specDir(deep)))).toContain('is nested deeper than 64 levels');
  });

  it('rejects a workflow with more nodes than the limit', () => {
    const nodes = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [String(i), { class_type: 'X', inputs: {} }]));

    expect(messageOf(parse(specDir(JSON.stringify(nodes))))).toContain('has 10001 nodes, over the limit of 10000');
  });

  it('rejects a workflow carrying a prototype key', () => {
    const polluted = portrait.replace('"4": {', '"4": {"__proto__": {"polluted": true}, ');

    expect(messageOf(parse(specDir(polluted)))).toContain('has the key "__proto__" at 4');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses a FIFO as workflow file at once instead of blocking on it', () => {
    const dir = specDir();
    execFileSync('mkfifo', [path.join(dir, 'wf.json')]);

    expect(messageOf(parse(dir))).toContain('it is not a regular file');
  });
});

describe('output names and totals', () => {
  function batch(items: string, maxImages?: number) {
    const yaml = `version: 1\noutput: { dir: out }\ndefaults: { checkpoint: a.safetensors }\nitems:\n${items}`;
    return parseJobSpec(yaml, { baseDir: specDir(), sourceName: 'spec.yaml', maxImages });
  }

  it('names both items when one item makes the file another item with a count makes', () => {
    const message = messageOf(batch('  - { name: Bob, prompt: a, count: 2 }\n  - { name: Bob 1, prompt: b }\n'));

    expect(message).toContain('items[1].name');
    expect(message).toContain('makes bob-1.png, which items[0] "Bob" also makes (count: 2)');
  });

  it('rejects names that give a Windows device file name', () => {
    expect(messageOf(batch('  - { name: CON, prompt: a }\n  - { name: com1, prompt: b }\n'))).toMatch(/con\.png, which Windows reserves[\s\S]*com1\.png, which Windows reserves/);
  });

  it('caps the images of a spec from the counts, naming KILN_MAX_IMAGES', () => {
    const items = Array.from({ length: 30 }, (_, i) => `  - { name: I${i}, prompt: p, count: 1000 }\n`).join('');

    const message = messageOf(batch(items, 10_000));

    expect(message).toContain('asks for 30000 images, over the limit of 10000 per spec');
    expect(message).toContain('KILN_MAX_IMAGES=30000');
  });
});

describe('output folder', () => {
  it('says output.dir is a file instead of failing later with ENOTDIR', () => {
    const dir = specDir();
    fs.writeFileSync(path.join(dir, 'out'), 'a file');
    const yaml = 'version: 1\noutput: { dir: out/sub }\ndefaults: { checkpoint: a.safetensors }\nitems:\n  - { name: A, prompt: a }\n';

    const message = messageOf(parseJobSpec(yaml, { baseDir: dir, sourceName: 'spec.yaml' }));

    expect(message).toContain('output.dir');
    expect(message).toContain(`${path.join(dir, 'out')} is a file, so ${path.join(dir, 'out', 'sub')} cannot be created under it`);
  });
});
