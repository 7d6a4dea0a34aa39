module.exports = {
  displayName: 'comfyui-emulator',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/tools/comfyui-emulator',
};
