import { guardStack } from './stack-guard';

jest.setTimeout(60_000);

// A service of the stack that died in an earlier suite is reported and started again here, so
// that it fails only the suite it died in.
beforeAll(() => guardStack(expect.getState().testPath ?? 'this suite'), 180_000);
