module.exports = {
  displayName: 'job-orchestration',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/job-orchestration',
};
