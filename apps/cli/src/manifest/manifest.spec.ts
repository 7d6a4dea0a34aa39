import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Manifest, MANIFEST_FILE, type ManifestEntry } from './manifest';

const entry: ManifestEntry = {
  item: 'Mallsing',
  index: 0,
  itemKey: 'k',
  seed: 42,
  seedMode: 'fixed',
  sha256: 'abc',
  source: 'jobs.yaml',
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('Manifest', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-manifest-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts empty when the folder has none, and creates the folder on the first record', () => {
    const manifest = Manifest.load(path.join(dir, 'new'));

    manifest.record('mallsing.png', entry);

    expect(Manifest.load(path.join(dir, 'new')).get('mallsing.png')).toEqual(entry);
  });

  it('leaves no temporary file behind', () => {
    Manifest.load(dir).record('a.png', entry);

    expect(fs.readdirSync(dir)).toEqual([MANIFEST_FILE]);
  });

  it('stays as it was, on disk and in memory, with no temporary file, when a save fails', () => {
    const manifest = Manifest.load(dir);
    manifest.record('a.png', entry);
    // A folder where the manifest goes: the save fails at its rename, as a full disk fails its write.
    fs.renameSync(path.join(dir, MANIFEST_FILE), path.join(dir, 'kept.json'));
    fs.mkdirSync(path.join(dir, MANIFEST_FILE));

    expect(() => manifest.recordAll([['b.png', entry], ['a.png', { ...entry, seed: 7 }]])).toThrow(/EISDIR/);
    expect(fs.readdirSync(dir).sort()).toEqual(['kept.json', MANIFEST_FILE]);

    fs.rmdirSync(path.join(dir, MANIFEST_FILE));
    manifest.record('c.png', entry);
    expect(Manifest.load(dir).entries().map(([file, e]) => [file, e.seed])).toEqual([
      ['a.png', 42],
      ['c.png', 42],
    ]);
  });

  it('sets an unreadable manifest aside with a warning instead of failing', () => {
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), '{ half a manif');

    const manifest = Manifest.load(dir);

    expect(manifest.warning).toContain('unreadable');
    expect(manifest.entries()).toEqual([]);
    expect(fs.readdirSync(dir).some((f) => f.startsWith(`${MANIFEST_FILE}.unreadable-`))).toBe(true);
  });
});
