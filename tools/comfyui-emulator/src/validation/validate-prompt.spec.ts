import { NodeCatalogue } from '../catalogue/node-catalogue';
import { PythonFloat } from '../python/python-values';
import { validatePrompt, type ApiPrompt } from './validate-prompt';

const context = {
  catalogue: new NodeCatalogue({
    modelFiles: (folder) => (folder === 'checkpoints' ? ['a.safetensors'] : []),
    inputImages: () => [],
  }),
  inputFileExists: () => false,
};

function emptyImage(inputs: Record<string, unknown>): ApiPrompt {
  return {
    '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 0, ...inputs } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
  };
}

describe('validatePrompt', () => {
  it('coerces INT strings and floats in place like int()', () => {
    const prompt = emptyImage({ width: '32', height: new PythonFloat(20.7) });

    const outcome = validatePrompt(prompt, context);

    expect(outcome.ok).toBe(true);
    expect((prompt['1'] as { inputs: Record<string, unknown> }).inputs).toMatchObject({ width: 32, height: 20 });
  });

  it('reports invalid_input_type with the Python exception text', () => {
    const outcome = validatePrompt(emptyImage({ width: 'wide' }), context);

    expect(outcome.ok).toBe(false);
    expect(outcome.nodeErrors.get('1')?.errors[0]).toMatchObject({
      type: 'invalid_input_type',
      message: 'Failed to convert an input value to a INT value',
      details: "width, wide, invalid literal for int() with base 10: 'wide'",
    });
  });

  it('reports value_bigger_than_max', () => {
    const outcome = validatePrompt(emptyImage({ color: 16777216 }), context);

    expect(outcome.nodeErrors.get('1')?.errors[0]).toMatchObject({
      type: 'value_bigger_than_max',
      message: 'Value 16777216 bigger than max of 16777215',
    });
  });

  it('reports return_type_mismatch and bad_linked_input on the consuming node', () => {
    const mismatch: ApiPrompt = {
      '1': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
    };
    const badLink = emptyImage({});
    (badLink['2'] as { inputs: Record<string, unknown> }).inputs.images = ['1', 0, 1];

    const first = validatePrompt(mismatch, context);
    const second = validatePrompt(badLink, context);

    expect(first.nodeErrors.get('2')?.errors[0].details).toBe('images, received_type(LATENT) mismatch input_type(IMAGE)');
    expect(second.nodeErrors.get('2')?.errors[0].type).toBe('bad_linked_input');
  });

  it('reports a link to a missing node on an output as exception_during_validation', () => {
    const prompt = emptyImage({});
    (prompt['2'] as { inputs: Record<string, unknown> }).inputs.images = ['99', 0];

    const outcome = validatePrompt(prompt, context);

    expect(outcome.ok).toBe(false);
    expect(outcome.nodeErrors.get('2')?.errors[0]).toMatchObject({
      type: 'exception_during_validation',
      details: "'99'",
      extra_info: { exception_type: 'KeyError' },
    });
    if (!outcome.ok) expect(outcome.error.details).toBe("Exception when validating node: '99'");
  });

  it('reports a node without class_type as invalid_prompt', () => {
    const outcome = validatePrompt({ '7': { inputs: {} } }, context);

    expect(outcome).toMatchObject({
      ok: false,
      error: { type: 'invalid_prompt', details: "Node ID '#7'" },
    });
  });
});
