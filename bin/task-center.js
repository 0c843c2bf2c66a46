#!/usr/bin/env node
'use strict';
// `task-center` from a clone, without a build: SWC compiles the TypeScript on the fly, with the
// repository's tsconfig (its `paths` resolve @task-center/contracts) whatever the working
// directory. Users of the published @task-center/client get the built `dist/cli.js` instead.
const { join } = require('node:path');

process.env.SWC_NODE_PROJECT = join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
require('../libs/client/src/cli/bin.ts');
