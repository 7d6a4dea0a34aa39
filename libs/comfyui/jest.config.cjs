module.exports = {
  displayName: 'comfyui',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/comfyui',
};
