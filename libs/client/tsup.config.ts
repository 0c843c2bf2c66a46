import { defineConfig } from 'tsup';

// The published package bundles @task-center/contracts (it is not published on its own)
// and keeps kafkajs and Nest as the user's own dependencies.
export default defineConfig({
  entry: { index: 'libs/client/src/index.ts' },
  outDir: 'libs/client/dist',
  format: ['cjs', 'esm'],
  dts: { compilerOptions: { composite: false } },
  tsconfig: 'libs/client/tsconfig.lib.json',
  noExternal: ['@task-center/contracts'],
  external: ['kafkajs', /^@nestjs\//, 'reflect-metadata', 'rxjs'],
  clean: true,
  sourcemap: true,
  target: 'node20',
});
