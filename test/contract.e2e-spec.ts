import { type INestApplication } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startApp, stopApp } from './support/app';
import { isolatedConfig } from './support/stack';

/**
 * The OpenAPI document is the contract: schemathesis (scripts/contract-test.sh, pinned in
 * requirements/contract.txt) reads /docs-json from the real app on the real stack and runs
 * every check through its examples, coverage, fuzzing and stateful phases. Zero failures, and
 * enough cases that "zero" means something. The long form: docs/api.md#contract.
 */
const API_KEY = 'contract-test-key-0123456789';
const MIN_CASES = 2000;
const SCRIPT = join(__dirname, '..', 'scripts', 'contract-test.sh');
const COMMITTED = join(__dirname, '..', 'docs', 'openapi.json');

function runContractTest(baseUrl: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, baseUrl], {
      env: { ...process.env, TASK_CENTER_API_KEY: API_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** schemathesis' summary line: `Test cases:\n  2067 generated, ...`. */
function generatedCases(output: string): number {
  const match = /Test cases:\s*\n\s*(\d+) generated/.exec(output);
  return match ? Number(match[1]) : 0;
}

describe('the OpenAPI document as a contract (schemathesis)', () => {
  let app: INestApplication | undefined;

  afterAll(async () => {
    await stopApp(app);
  });

  it(`passes every check on at least ${MIN_CASES} generated cases`, async () => {
    // A key is configured so that the ignored_auth check sees the 401 without it.
    app = await startApp(isolatedConfig({ API_KEYS: `admin:${API_KEY}` }));
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;

    // What the app serves is the committed contract (docs/openapi.json, from `npm run openapi`,
    // which builds it without a database: CI's `openapi:check` keeps it and the SDK's types current).
    const served = await (await fetch(`http://127.0.0.1:${port}/docs-json`)).json();
    expect(served).toEqual(JSON.parse(readFileSync(COMMITTED, 'utf8')));

    const { code, output } = await runContractTest(`http://127.0.0.1:${port}`);

    // The whole report on failure: every failing operation with its curl reproduction.
    const summary = output.slice(output.lastIndexOf('SUMMARY') - 40);
    expect({ code, summary: code === 0 ? 'passed' : output }).toEqual({
      code: 0,
      summary: 'passed',
    });
    // Every phase ran and passed (a phase with nothing to do shows ⏭ instead).
    for (const phase of ['Examples', 'Coverage', 'Fuzzing', 'Stateful']) {
      expect(summary).toContain(`✅ ${phase}`);
    }
    expect(generatedCases(output)).toBeGreaterThanOrEqual(MIN_CASES);
  }, 600_000);
});
