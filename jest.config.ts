import type { Config } from 'jest';

// Tests are transpiled file by file (isolatedModules): type checking is `npm run typecheck`'s job,
// run before the tests, so that ts-jest does not type-check the AWS SDK's types in every worker.
const project = (displayName: string, testMatch: string[]): Config => ({
  displayName,
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
    // hyparquet-writer (the Parquet encoder) and hyparquet are ESM only. Node 20.20 requires them at run
    // time, but jest's CommonJS loader cannot: ts-jest compiles their JavaScript to CommonJS for the tests.
    '/node_modules/hyparquet(-writer)?/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(hyparquet|hyparquet-writer)/)'],
});

const config: Config = {
  projects: [
    project('unit', ['**/*.spec.ts', '!**/*.int.spec.ts']),
    project('integration', ['**/*.int.spec.ts']),
  ],
};

export default config;
