// The pack table of the README, as data: project → the projects it may depend on.
// `nx graph` edges outside this table fail `nx run workspace:check-packs`.
const libs = ['pipeline', 'job-orchestration', 'comfyui', 'database', 'settings'];

module.exports = {
  pipeline: [],
  'job-orchestration': ['pipeline'],
  comfyui: ['job-orchestration', 'pipeline'],
  database: ['settings'],
  settings: [],
  'comfyui-emulator': [],
  workspace: [],
  worker: libs,
  cli: [...libs, 'comfyui-emulator'],
};
