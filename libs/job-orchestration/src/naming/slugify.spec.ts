import { isValidSlug, MAX_SLUG_LENGTH, slugify } from './slugify';
import { deterministicOutputName, uniqueOutputName } from './output-name';

describe('slugify', () => {
  it.each([
    ['Mallsing', 'mallsing'],
    ['Bob the Brave', 'bob-the-brave'],
    ['  --Bob   the__Brave!!  ', 'bob-the-brave'],
    ['Zoë Ångström', 'zoe-angstrom'],
    ['Straße Øresund', 'strasse-oresund'],
    ['../../etc/passwd', 'etc-passwd'],
    ['C:\\Windows\\system32', 'c-windows-system32'],
    ['魔法使い Mage', 'mage'],
  ])('turns %j into %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it.each(['..', '.', '', '   ', '魔法使い', '!!!'])('gives an empty slug for %j, which callers reject', (name) => {
    expect(slugify(name)).toBe('');
    expect(isValidSlug(slugify(name))).toBe(false);
  });

  it('caps the length without leaving a trailing dash', () => {
    const slug = slugify(`${'a'.repeat(MAX_SLUG_LENGTH - 1)} bcd`);

    expect(slug.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
    expect(slug.endsWith('-')).toBe(false);
    expect(isValidSlug(slug)).toBe(true);
  });
});

describe('output names', () => {
  it('names a single image after the slug and several with 1-based suffixes', () => {
    expect(deterministicOutputName('mallsing', 0, 1)).toBe('mallsing.png');
    expect([0, 1, 2].map((i) => deterministicOutputName('bob-the-brave', i, 3))).toEqual([
      'bob-the-brave-1.png', 'bob-the-brave-2.png', 'bob-the-brave-3.png',
    ]);
  });

  it('puts unique names under the step folder with a hash of the job key, so a retry keeps the hash', () => {
    const at = new Date('2026-11-14T09:30:05.123Z');

    const name = uniqueOutputName('portraits', 'portraits.base-3', at);

    expect(name).toBe('portraits/0b8fc752aa5fe24f_20261114T093005Z.png');
    expect(uniqueOutputName('portraits', 'portraits.base-3', new Date()).slice(0, 27)).toBe(name.slice(0, 27));
    expect(uniqueOutputName('portraits', 'portraits.base-4', at)).not.toBe(name);
  });
});
