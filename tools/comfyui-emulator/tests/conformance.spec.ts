import { decodePng } from '../src/image/png-decoder';
import { startEmulator, type RunningEmulator } from '../src/index';
import { RecordingSocket, postJson, request, waitForHistory, type HttpResult } from './support/client';
import {
  capturedFile,
  capturedJson,
  loadCapturedResponse,
  loadWorkflow,
  loadWsTrace,
  workflowFile,
} from './support/fixtures';
import { normalize } from './support/normalize';

// Replays the capture session of fixtures/comfyui/README.md in its order, so even the `number`
// counter must match, and compares every answer with the captured one.
describe('conformance with the captured ComfyUI 0.3.64 server', () => {
  let emulator: RunningEmulator;
  let base: string;
  const idMap: Record<string, string> = {};

  beforeAll(async () => {
    emulator = await startEmulator({
      checkpoints: ['tiny-test.safetensors'],
      brokenCheckpoints: ['tiny-test.safetensors'],
    });
    base = emulator.url;
  });

  afterAll(() => emulator.close());

  function expectSameAsCaptured(actual: HttpResult, name: string): void {
    const captured = loadCapturedResponse(name);
    expect(actual.status).toBe(captured.status);
    expect(actual.headers.get('content-type')).toBe(captured.headers['content-type']);
    expect(actual.text).toBe(captured.body.toString('utf8'));
  }

  function expectSameJsonAsCaptured(actual: HttpResult, name: string): void {
    const captured = loadCapturedResponse(name);
    expect(actual.status).toBe(captured.status);
    expect(actual.headers.get('content-type')).toBe(captured.headers['content-type']);
    expect(normalize(actual.json(), idMap)).toEqual(normalize(JSON.parse(captured.body.toString('utf8'))));
  }

  async function submit(workflow: string, capturedName: string, extra: Record<string, unknown> = {}) {
    const response = await postJson(`${base}/prompt`, {
      prompt: loadWorkflow(workflow),
      client_id: 'samples-client',
      ...extra,
    });
    const body = response.json<{ prompt_id: string }>();
    const captured = capturedJson(capturedName) as { prompt_id: string };
    idMap[body.prompt_id] = captured.prompt_id;
    expectSameJsonAsCaptured(response, capturedName);
    return body.prompt_id;
  }

  async function expectHistoryLikeCaptured(promptId: string, capturedName: string) {
    await waitForHistory(base, promptId);
    expectSameJsonAsCaptured(await request(`${base}/history/${promptId}`), capturedName);
  }

  it('answers /queue and /prompt on an idle server like the capture', async () => {
    expectSameAsCaptured(await request(`${base}/queue`), 'get_queue_idle');
    expectSameAsCaptured(await request(`${base}/prompt`), 'get_prompt_queue_info');
  });

  it('accepts empty_save as number 0 and records the same history entry', async () => {
    const id = await submit('empty_save', 'post_prompt_emptyimage_success');
    await expectHistoryLikeCaptured(id, 'get_history_emptyimage_success');
  });

  it('runs an identical resubmit fully cached with the same filename', async () => {
    const id = await submit('empty_save', 'post_prompt_emptyimage_resubmit_cached');
    await expectHistoryLikeCaptured(id, 'get_history_emptyimage_resubmit_cached');
  });

  it('echoes a client-chosen prompt_id', async () => {
    const workflow = loadWorkflow('empty_save');
    (workflow['2'] as { inputs: Record<string, unknown> }).inputs.filename_prefix = 'client_id_test';
    const response = await postJson(`${base}/prompt`, {
      prompt: workflow,
      client_id: 'samples-client',
      prompt_id: 'my-own-prompt-id-123',
    });
    expectSameAsCaptured(response, 'post_prompt_client_prompt_id');
    await waitForHistory(base, 'my-own-prompt-id-123');
  });

  it('serves the saved PNG with the captured headers, pixels and prompt metadata', async () => {
    const response = await fetch(`${base}/view?filename=test_00001_.png&subfolder=&type=output`);
    const captured = loadCapturedResponse('get_view_output_png.headers');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(captured.headers['content-type']);
    expect(response.headers.get('content-disposition')).toBe(captured.headers['content-disposition']);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    const ours = decodePng(Buffer.from(await response.arrayBuffer()));
    const theirs = decodePng(capturedFile('get_view_output_png.png'));
    expect(ours?.width).toBe(theirs?.width);
    expect(Buffer.from(ours?.rgb ?? [])).toEqual(Buffer.from(theirs?.rgb ?? []));
    expect(ours?.text.prompt).toBe(theirs?.text.prompt);
  });

  it('answers /view errors and unknown history ids like the capture', async () => {
    expectSameAsCaptured(await request(`${base}/view?filename=does-not-exist.png&type=output`), 'get_view_missing_file_404');
    expectSameAsCaptured(await request(`${base}/view?filename=test_00001_.png&type=bogus`), 'get_view_bad_type_400');
    expectSameAsCaptured(
      await request(`${base}/history/00000000-0000-0000-0000-000000000000`),
      'get_history_unknown_id',
    );
  });

  it.each([
    ['unknown_class_type', 'post_prompt_unknown_class_type_400'],
    ['ckpt_not_in_list', 'post_prompt_ckpt_not_in_list_400'],
    ['missing_required_input', 'post_prompt_missing_required_input_400'],
    ['value_out_of_range', 'post_prompt_value_below_min_400'],
    ['no_outputs', 'post_prompt_no_outputs_400'],
    ['loadimage_missing_file', 'post_prompt_loadimage_missing_file_400'],
  ])('rejects %s with the captured 400 body, byte for byte', async (workflow, capturedName) => {
    const response = await postJson(`${base}/prompt`, { prompt: loadWorkflow(workflow), client_id: 'samples-client' });
    expectSameAsCaptured(response, capturedName);
  });

  it('accepts a partially invalid prompt with node_errors and runs only the good output', async () => {
    const id = await submit('partial_invalid', 'post_prompt_partial_invalid_accepted_200');
    await expectHistoryLikeCaptured(id, 'get_history_partial_invalid');
  });

  it('answers a body without prompt and a malformed body like the capture', async () => {
    expectSameAsCaptured(await postJson(`${base}/prompt`, { client_id: 'x' }), 'post_prompt_no_prompt_key_400');
    const malformed = await postJson(`${base}/prompt`, '{not json');
    expectSameAsCaptured(malformed, 'post_prompt_malformed_json');
  });

  it.each([
    ['CheckpointLoaderSimple', 'get_object_info_CheckpointLoaderSimple'],
    ['LoadImage', 'get_object_info_LoadImage'],
    ['EmptyImage', 'get_object_info_EmptyImage'],
    ['NoSuchNodeType', 'get_object_info_unknown_node'],
  ])('serves /object_info/%s byte for byte', async (nodeClass, capturedName) => {
    expectSameAsCaptured(await request(`${base}/object_info/${nodeClass}`), capturedName);
  });

  it('serves models, embeddings and features byte for byte', async () => {
    expectSameAsCaptured(await request(`${base}/models`), 'get_models');
    expectSameAsCaptured(await request(`${base}/models/checkpoints`), 'get_models_checkpoints');
    expectSameAsCaptured(await request(`${base}/models/no_such_folder`), 'get_models_unknown_folder');
    expectSameAsCaptured(await request(`${base}/embeddings`), 'get_embeddings');
    expectSameAsCaptured(await request(`${base}/features`), 'get_features');
  });

  it('serves /system_stats with the captured shape', async () => {
    const ours = (await request(`${base}/system_stats`)).json<Record<string, Record<string, unknown>>>();
    const theirs = capturedJson('get_system_stats') as Record<string, Record<string, unknown>>;
    expect(Object.keys(ours.system)).toEqual(Object.keys(theirs.system));
    expect(ours.system.comfyui_version).toBe('0.3.64');
    const devices = ours.devices as unknown as Array<Record<string, unknown>>;
    expect(Object.keys(devices[0])).toEqual(Object.keys((theirs.devices as unknown as object[])[0]));
  });

  it('serves the full /object_info catalogue of 382 classes', async () => {
    const all = (await request(`${base}/object_info`)).json<Record<string, unknown>>();
    expect(Object.keys(all)).toHaveLength(382);
  });

  it('fails a broken checkpoint at run time with the captured execution_error', async () => {
    const id = await submit('ckpt_runtime_error', 'post_prompt_ckpt_runtime_error_accepted');
    await expectHistoryLikeCaptured(id, 'get_history_ckpt_runtime_error');
  });

  it('handles the captured upload sequence (overwrite, de-dup, rename, subfolder, missing part)', async () => {
    const upload = (file: string, fields: Record<string, string>, name = 'oracle-input.png') => {
      const form = new FormData();
      form.append('image', new Blob([workflowFile(file)], { type: 'image/png' }), name);
      for (const [key, value] of Object.entries(fields)) form.append(key, value);
      return request(`${base}/upload/image`, { method: 'POST', body: form });
    };
    expectSameAsCaptured(await upload('oracle-input.png', { type: 'input', overwrite: 'true' }), 'post_upload_image');
    expectSameAsCaptured(await upload('oracle-input.png', {}), 'post_upload_image_again_no_overwrite');
    expectSameAsCaptured(await upload('oracle-input-v2.png', {}), 'post_upload_image_name_clash_renamed');
    expectSameAsCaptured(await upload('oracle-input.png', { subfolder: 'sub' }), 'post_upload_image_subfolder');
    const noImage = new FormData();
    noImage.append('type', 'input');
    expectSameAsCaptured(
      await request(`${base}/upload/image`, { method: 'POST', body: noImage }),
      'post_upload_image_missing_file_400',
    );
    expectSameAsCaptured(await request(`${base}/object_info/LoadImage`), 'get_object_info_LoadImage_after_upload');
  });

  it('runs LoadImage → ImageScale → ImageInvert → SaveImage + PreviewImage like the capture', async () => {
    const id = await submit('load_scale_invert_save', 'post_prompt_load_scale_invert');
    await expectHistoryLikeCaptured(id, 'get_history_load_scale_invert');
    const entry = (await request(`${base}/history/${id}`)).json<Record<string, { outputs: Record<string, { images: Array<{ filename: string }> }> }>>()[id];
    const inverted = await fetch(`${base}/view?filename=inverted_00001_.png&subfolder=oracle&type=output`);
    expect(inverted.headers.get('content-type')).toBe('image/png');
    const ours = decodePng(Buffer.from(await inverted.arrayBuffer()));
    const theirs = decodePng(capturedFile('get_view_inverted_png.png'));
    expect([ours?.width, ours?.height]).toEqual([theirs?.width, theirs?.height]);
    expect(ours?.text.prompt).toBe(theirs?.text.prompt);
    const maxDifference = Math.max(...(ours?.rgb ?? []).map((v, i) => Math.abs(v - (theirs?.rgb[i] ?? 0))));
    expect(maxDifference).toBeLessThanOrEqual(2);

    const previewName = entry.outputs['5'].images[0].filename;
    const preview = await fetch(`${base}/view?filename=${encodeURIComponent(previewName)}&type=temp`);
    const previewPixels = decodePng(Buffer.from(await preview.arrayBuffer()));
    const capturedPreview = decodePng(capturedFile('get_view_preview_temp_png.png'));
    expect(Buffer.from(previewPixels?.rgb ?? [])).toEqual(Buffer.from(capturedPreview?.rgb ?? []));
  });

  it.each([
    ['ws_messages_success', 'ws-sample-success', 'ws_fresh'],
    ['ws_messages_cached_rerun', 'ws-sample-cached', 'ws_fresh'],
    ['ws_messages_runtime_error', 'ws-sample-error', 'ckpt_runtime_error'],
  ])('sends the WebSocket events of %s in the captured order and shape', async (traceName, clientId, workflow) => {
    const trace = loadWsTrace(traceName);
    const socket = await RecordingSocket.open(base, clientId);
    const response = await postJson(`${base}/prompt`, { prompt: loadWorkflow(workflow), client_id: clientId });
    const { prompt_id: promptId, number } = response.json<{ prompt_id: string; number: number }>();
    const capturedPost = trace.find((line) => line.dir === 'http')?.body as { prompt_id: string; number: number };
    idMap[promptId] = capturedPost.prompt_id;
    expect(number).toBe(capturedPost.number);
    await socket.waitForDone(promptId);
    await socket.close();

    const expected = trace.filter((line) => line.dir === 'in').map((line) => line.message);
    expect(normalize(socket.messages, idMap)).toEqual(normalize(expected));
  });

  it('lists the last two history entries and an empty queue like the capture', async () => {
    expectSameJsonAsCaptured(await request(`${base}/history?max_items=2`), 'get_history_max_items_2');
    expectSameAsCaptured(await request(`${base}/queue`), 'get_queue_after');
  });

  it('answers POST /queue clear and POST /interrupt with a bare 200', async () => {
    expectSameAsCaptured(await postJson(`${base}/queue`, { clear: true }), 'post_queue_clear');
    expectSameAsCaptured(await postJson(`${base}/interrupt`, {}), 'post_interrupt');
  });
});
