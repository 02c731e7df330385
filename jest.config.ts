import type { Config } from 'jest';

const project = (displayName: string, testMatch: string[]): Config => ({
  displayName,
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch,
});

const config: Config = {
  projects: [
    project('unit', ['**/*.spec.ts', '!**/*.int.spec.ts']),
    project('integration', ['**/*.int.spec.ts']),
  ],
};

export default config;
