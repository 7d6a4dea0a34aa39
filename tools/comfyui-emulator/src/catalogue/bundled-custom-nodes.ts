import type { NodeInfo } from './node-catalogue';

/**
 * Node classes ComfyUI ships in its own `custom_nodes/` folder. The captured server ran without them,
 * so they are opt-in (`customNodes`) and the default catalogue stays the captured 382 classes.
 */
export const BUNDLED_CUSTOM_NODES: Record<string, NodeInfo> = {
  // custom_nodes/websocket_image_save.py
  SaveImageWebsocket: {
    input: { required: { images: ['IMAGE'] } },
    input_order: { required: ['images'] },
    output: [],
    output_is_list: [],
    output_name: [],
    name: 'SaveImageWebsocket',
    display_name: 'SaveImageWebsocket',
    description: '',
    python_module: 'custom_nodes.websocket_image_save',
    category: 'api node/image',
    output_node: true,
  },
};
