/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking is done once by `npm run typecheck`; jest only transpiles, which keeps the suite fast.
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // light-my-request (Fastify's app.inject) requires cookie 2, which ships ES modules only; Node loads them with
    // require(), jest's module loader does not, so that one package is compiled to CommonJS.
    '/node_modules/cookie/.+\\.js$': ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
  // CI has 2 cores; the end-to-end tests start servers and terraform, so keep workers bounded.
  maxWorkers: process.env.CI ? 2 : '50%',
};
