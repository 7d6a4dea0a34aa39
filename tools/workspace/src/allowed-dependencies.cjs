// The pack table: project → the projects it may depend on. The one copy: lint's
// `@nx/enforce-module-boundaries` constraints are built from it (eslint.config.mjs), and `nx graph`
// edges outside it fail `nx run workspace:check-packs`. Each project carries the tag `scope:<name>`.
const libs = ['pipeline', 'job-orchestration', 'comfyui', 'database', 'settings', 'gallery'];

module.exports = {
  pipeline: [],
  'job-orchestration': ['pipeline'],
  comfyui: ['job-orchestration', 'pipeline', 'settings'],
  // The gallery reads and changes state only through these two packs' public functions.
  gallery: ['pipeline', 'comfyui'],
  database: ['settings'],
  settings: [],
  'comfyui-emulator': [],
  workspace: [],
  worker: libs,
  cli: [...libs, 'comfyui-emulator'],
};
