import { defineConfig } from 'tsup';

// The published package bundles @task-center/contracts (it is not published on its own)
// and keeps kafkajs and Nest as the user's own dependencies.
//
// Two entries: `@task-center/client` never loads @nestjs/*, so plain Node users need no Nest;
// `@task-center/client/nest` imports TaskWorker from `@task-center/client` (external: the
// package's self-reference) so both entries share one TaskWorker class, which Nest's DI
// uses as a token.
export default defineConfig({
  // A third entry, `cli`, is the `task-center` command (the package's `bin`: dist/cli.js).
  entry: {
    index: 'libs/client/src/index.ts',
    nest: 'libs/client/src/nest/index.ts',
    cli: 'libs/client/src/cli/bin.ts',
  },
  outDir: 'libs/client/dist',
  format: ['cjs', 'esm'],
  dts: { compilerOptions: { composite: false } },
  tsconfig: 'libs/client/tsconfig.lib.json',
  noExternal: ['@task-center/contracts'],
  external: ['kafkajs', /^@nestjs\//, 'reflect-metadata', 'rxjs', /^@task-center\/client$/],
  clean: true,
  sourcemap: true,
  target: 'node20',
});
