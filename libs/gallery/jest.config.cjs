module.exports = {
  displayName: 'gallery',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/gallery',
  // light-my-request (Fastify's inject) requires `cookie` 2, which is ESM-only: transform it like ky.
  transformIgnorePatterns: ['node_modules/(?!(ky|cookie)/)'],
};
