module.exports = {
  displayName: 'settings',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/settings',
};
