import { assertCheckpointsAvailable } from './check-checkpoints';
import { editDistance } from '@kiln/job-orchestration';
import { rankByCloseness } from './closest-match';

describe('rankByCloseness', () => {
  it('puts the closest name first, ignoring the extension and case', () => {
    expect(rankByCloseness('v1-5-pruned-emaonly.safetensors', ['a.safetensors', 'V1-5-Pruned.ckpt', 'sd_xl_base_1.0.safetensors'])).toEqual([
      'V1-5-Pruned.ckpt',
      'a.safetensors',
      'sd_xl_base_1.0.safetensors',
    ]);
  });

  it('breaks ties alphabetically', () => {
    expect(rankByCloseness('x', ['b.safetensors', 'a.safetensors'])).toEqual(['a.safetensors', 'b.safetensors']);
  });

  it('measures Levenshtein distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('assertCheckpointsAvailable', () => {
  it('passes when every checkpoint is offered', () => {
    expect(() => assertCheckpointsAvailable(['a.safetensors'], ['a.safetensors', 'b.safetensors'], 'http://s')).not.toThrow();
  });

  it('names every missing checkpoint with the choices, closest first, as invalid input', () => {
    expect(() => assertCheckpointsAvailable(['x.safetensors', 'b.safetensor'], ['a.safetensors', 'b.safetensors'], 'http://s')).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: expect.stringContaining("checkpoint 'b.safetensor' not found; available: b.safetensors, a.safetensors"),
      }),
    );
  });

  it('lists at most 20 of a huge list, closest first, then how many more', () => {
    const available = [...Array.from({ length: 5_000 }, (_, i) => `model-${i}.safetensors`), 'dreamshaper_8.safetensors'];

    const attempt = () => assertCheckpointsAvailable(['dreamshaper8.safetensors'], available, 'http://s');

    expect(attempt).toThrow(expect.objectContaining({ message: expect.stringMatching(/available: dreamshaper_8\.safetensors, .* and 4981 more\n/) }));
    expect(attempt).toThrow(expect.objectContaining({ message: expect.not.stringContaining('model-4999.') }));
  });
});

