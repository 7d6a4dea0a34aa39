import { executionOrder } from './execution-order';

const txt2img = {
  '3': { class_type: 'KSampler', inputs: { model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: {} },
  '5': { class_type: 'EmptyLatentImage', inputs: {} },
  '6': { class_type: 'CLIPTextEncode', inputs: { clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { clip: ['4', 1] } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { images: ['8', 0] } },
};

describe('executionOrder', () => {
  it('follows ComfyUI staging and ux_friendly_pick_node', () => {
    expect(executionOrder(txt2img, ['9'], () => false, (id) => id === '9')).toEqual(['4', '5', '7', '6', '3', '8', '9']);
  });

  it('skips cached ancestors but always stages the output', () => {
    expect(executionOrder(txt2img, ['9'], () => true, (id) => id === '9')).toEqual(['9']);
  });
});
