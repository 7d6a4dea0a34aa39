// Tracebacks copied from the captured ComfyUI 0.3.64 run (fixtures/comfyui/ws_messages_runtime_error.jsonl),
// so emulated run-time errors look like the real ones.
export const CHECKPOINT_LOAD_TRACEBACK: string[] = [
  "  File \"/opt/ComfyUI/execution.py\", line 496, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n                                                              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n",
  "  File \"/opt/ComfyUI/execution.py\", line 315, in get_output_data\n    return_values = await _async_map_node_over_list(prompt_id, unique_id, obj, input_data_all, obj.FUNCTION, allow_interrupt=True, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n",
  "  File \"/opt/ComfyUI/execution.py\", line 289, in _async_map_node_over_list\n    await process_inputs(input_dict, i)\n",
  "  File \"/opt/ComfyUI/execution.py\", line 277, in process_inputs\n    result = f(**inputs)\n             ^^^^^^^^^^^\n",
  "  File \"/opt/ComfyUI/nodes.py\", line 578, in load_checkpoint\n    out = comfy.sd.load_checkpoint_guess_config(ckpt_path, output_vae=True, output_clip=True, embedding_directory=folder_paths.get_folder_paths(\"embeddings\"))\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n",
  "  File \"/opt/ComfyUI/comfy/sd.py\", line 1173, in load_checkpoint_guess_config\n    sd, metadata = comfy.utils.load_torch_file(ckpt_path, return_metadata=True)\n                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n",
  "  File \"/opt/ComfyUI/comfy/utils.py\", line 75, in load_torch_file\n    raise e\n",
  "  File \"/opt/ComfyUI/comfy/utils.py\", line 59, in load_torch_file\n    with safetensors.safe_open(ckpt, framework=\"pt\", device=device.type) as f:\n         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n",
  "  File \"/opt/venv/lib/python3.11/site-packages/safetensors/__init__.py\", line 59, in __init__\n    self._header, self._metadata, self._offset = _read_header(len(buf), lambda o, n: buf[o:o + n])\n                                                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n",
  "  File \"/opt/venv/lib/python3.11/site-packages/safetensors/__init__.py\", line 38, in _read_header\n    raise SafetensorError(\"Error while deserializing header: HeaderTooSmall\")\n"
];

export const SAVE_IMAGE_TRACEBACK: string[] = [
  '  File "/opt/ComfyUI/execution.py", line 496, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n',
  '  File "/opt/ComfyUI/nodes.py", line 1611, in save_images\n    full_output_folder, filename, counter, subfolder, filename_prefix = folder_paths.get_save_image_path(filename_prefix, self.output_dir, images[0].shape[1], images[0].shape[0])\n',
  '  File "/opt/ComfyUI/folder_paths.py", line 452, in get_save_image_path\n    raise Exception(err)\n',
];

export const INJECTED_FAILURE_TRACEBACK: string[] = [
  '  File "/opt/ComfyUI/execution.py", line 496, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n',
  '  File "<comfyui-emulator>", line 1, in injected_fault\n    raise RuntimeError(message)\n',
];
