module.exports = {
  displayName: 'workspace',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/tools/workspace',
};
