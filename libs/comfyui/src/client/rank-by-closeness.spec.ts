import { rankByCloseness } from './rank-by-closeness';

describe('rankByCloseness', () => {
  it('puts the closest name first, ignoring the extension and case', () => {
    expect(rankByCloseness('v1-5-pruned-emaonly.safetensors', ['a.safetensors', 'V1-5-Pruned.ckpt', 'sd_xl_base_1.0.safetensors'])).toEqual([
      'V1-5-Pruned.ckpt',
      'a.safetensors',
      'sd_xl_base_1.0.safetensors',
    ]);
  });

  it('counts a different model extension as close', () => {
    expect(rankByCloseness('flux1-dev.ckpt', ['flux1-schnell.safetensors', 'flux1-dev.safetensors'])[0]).toBe('flux1-dev.safetensors');
  });

  it('breaks ties alphabetically', () => {
    expect(rankByCloseness('x', ['b.safetensors', 'a.safetensors'])).toEqual(['a.safetensors', 'b.safetensors']);
  });
});
