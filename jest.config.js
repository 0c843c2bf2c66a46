// Jest with @swc/jest: Nest needs decorator metadata, which SWC emits, and SWC
// transpiles ~20x faster than ts-jest. Type checking is `npm run typecheck`'s job.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const shared = {
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@task-center/contracts(|/.*)$': '<rootDir>/libs/contracts/src$1',
    '^@task-center/client(|/.*)$': '<rootDir>/libs/client/src$1',
  },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  // Suites close what they open, but a kafkajs client of a crashed scenario can keep a socket
  // alive; a finished run must end rather than hang CI.
  forceExit: true,
  // One suite at a time: the failure suites restart the shared Kafka broker, which would
  // break whatever else runs beside them on the same stack.
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // The order of test/lanes.js under scripts/test-all.sh (TEST_LANE), Jest's own otherwise.
  testSequencer: '<rootDir>/test/support/lane-sequencer.js',
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/bench/**/*.spec.ts',
        // The doc test: settings, routes and links of the Markdown (test/docs/docs.spec.ts).
        '<rootDir>/test/docs/**/*.spec.ts',
      ],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/integration-setup.ts'],
      slowTestThreshold: 30,
    },
  ],
};
