import { startEmulator, type RunningEmulator } from '../src/index';
import { postJson, type HttpResult } from './support/client';
import { loadCapturedResponse, loadWorkflow } from './support/fixtures';

// The preflight-relevant 400s that the first capture session lacked, captured later from a real
// ComfyUI 0.3.64 (fixtures README, "Later captures"). A fresh emulator: rejected prompts use up
// `number`s too, so these cannot join the replayed session of conformance.spec.ts.
describe('validation errors like the captured ComfyUI 0.3.64 server', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ checkpoints: ['tiny-test.safetensors'] });
  });

  afterAll(() => emulator.close());

  function expectSameAsCaptured(actual: HttpResult, name: string): void {
    const captured = loadCapturedResponse(name);
    expect(actual.status).toBe(captured.status);
    expect(actual.headers.get('content-type')).toBe(captured.headers['content-type']);
    expect(actual.text).toBe(captured.body.toString('utf8'));
  }

  it.each([
    ['value_above_max', 'post_prompt_value_above_max_400'],
    ['bad_link_type', 'post_prompt_bad_link_type_400'],
    ['link_to_missing_node', 'post_prompt_link_to_missing_node_400'],
    ['link_slot_out_of_range', 'post_prompt_link_slot_out_of_range_400'],
    ['inner_link_to_missing_node', 'post_prompt_inner_link_to_missing_node_400'],
  ])('rejects %s with the captured 400 body, byte for byte', async (workflow, capturedName) => {
    const response = await postJson(`${emulator.url}/prompt`, { prompt: loadWorkflow(workflow), client_id: 'samples-client' });

    expectSameAsCaptured(response, capturedName);
  });
});
