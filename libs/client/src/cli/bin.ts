#!/usr/bin/env node
// The `task-center` command: the process around runCli (argv, environment, exit code).
import { runCli } from './main';

runCli(process.argv.slice(2), {
  env: {
    TASK_CENTER_URL: process.env.TASK_CENTER_URL,
    TASK_CENTER_API_KEY: process.env.TASK_CENTER_API_KEY,
  },
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `task-center: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
