import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, posix, relative, resolve } from 'node:path';
import { z } from 'zod';
import { configSchema } from '../../apps/task-center/src/config/app-config';
import { loadConfig } from '../../apps/task-center/src/config/load-config';
import { headingAnchors, markdownLinks, tableRows } from './markdown';

// Keeps the documentation honest (issue 20): every setting the center reads is documented with
// its default, every route of the OpenAPI document is in docs/api.md, and every relative link
// in the repository's Markdown resolves. Each failure names the file, the line and what is
// missing, all at once.

const ROOT = resolve(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Files in the repository as git sees it: tracked, or new and not ignored; not deleted. */
function repositoryFiles(): string[] {
  const out = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '-z'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return [...new Set(out.split('\0'))].filter((f) => f !== '' && existsSync(join(ROOT, f)));
}

describe('docs/configuration.md', () => {
  type Default = { kind: 'required' } | { kind: 'optional' } | { kind: 'value'; value: unknown };

  /** What a setting defaults to, read from its zod schema. */
  function defaultOf(schema: z.ZodType): Default {
    if (schema instanceof z.ZodDefault) return { kind: 'value', value: schema.def.defaultValue };
    if (schema instanceof z.ZodOptional) return { kind: 'optional' };
    if (schema instanceof z.ZodPipe) return defaultOf(schema.in as z.ZodType);
    return { kind: 'required' };
  }

  /** Every variable `loadConfig` reads (the schema's keys and the ones it reads itself). */
  function variablesRead(): string[] {
    const seen = new Set<string>();
    const given: Record<string, string> = {
      MONGODB_URI: 'mongodb://127.0.0.1:27017/docs',
      KAFKA_BROKERS: '127.0.0.1:9092',
    };
    const env = new Proxy(given, {
      get: (target, key) => {
        if (typeof key === 'string') seen.add(key);
        return typeof key === 'string' ? target[key] : undefined;
      },
    });
    loadConfig(env);
    return [...seen];
  }

  /** What the default column must say for this setting, and the check. */
  function expectation(key: string): { says: string; holds: (cell: string) => boolean } {
    const shape: Record<string, z.ZodType> = configSchema.shape;
    const schema = shape[key];
    const found: Default = schema ? defaultOf(schema) : { kind: 'optional' };
    if (found.kind === 'required') {
      return { says: '"(required…"', holds: (cell) => cell.startsWith('(required') };
    }
    if (found.kind === 'optional') {
      return { says: 'what applies when it is unset', holds: (cell) => cell !== '' };
    }
    if (found.value === '') {
      return { says: '"(none…" (an empty list)', holds: (cell) => cell.startsWith('(none') };
    }
    const code = `\`${String(found.value)}\``;
    return { says: code, holds: (cell) => cell.includes(code) };
  }

  it('lists every variable the config reads, with its default, and nothing else', () => {
    const doc = 'docs/configuration.md';
    const rows = tableRows(read(doc)).filter((r) => /^`[A-Z][A-Z0-9_]*`$/.test(r.cells[0] ?? ''));
    const variables = variablesRead();
    const problems: string[] = [];
    for (const key of variables) {
      const matching = rows.filter((r) => r.cells[0] === `\`${key}\``);
      const { says, holds } = expectation(key);
      if (matching.length === 0) {
        problems.push(`${doc}: no table row for ${key} (its default column must say ${says})`);
      } else if (matching.length > 1) {
        problems.push(
          `${doc}: ${key} has ${matching.length} rows (lines ${matching.map((r) => r.line).join(', ')}); keep one`,
        );
      } else {
        const row = matching[0]!;
        const cell = row.cells[1] ?? '';
        if (!holds(cell)) {
          problems.push(`${doc}:${row.line}: ${key}'s default is "${cell}"; it must say ${says}`);
        }
      }
    }
    for (const row of rows) {
      const key = row.cells[0]!.slice(1, -1);
      if (!variables.includes(key)) {
        problems.push(`${doc}:${row.line}: ${key} is documented, but the config does not read it`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('docs/api.md', () => {
  const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

  it('has every route of docs/openapi.json in its Routes table, and no other', () => {
    const document = JSON.parse(read('docs/openapi.json')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const inDocument = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => HTTP_METHODS.includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const doc = 'docs/api.md';
    const text = read(doc);
    const section = text.split(/^## /m).find((s) => s.startsWith('Routes\n'));
    const problems: string[] = [];
    if (section === undefined) {
      problems.push(`${doc}: no "## Routes" section`);
    } else {
      const offset = text.slice(0, text.indexOf(section)).split('\n').length - 1;
      // The first table of the section: the routes of the OpenAPI document.
      const rows: { route: string; line: number }[] = [];
      let previous: number | undefined;
      for (const row of tableRows(section)) {
        if (previous !== undefined && row.line !== previous + 1) break;
        previous = row.line;
        rows.push({ route: (row.cells[0] ?? '').replace(/`/g, ''), line: row.line + offset });
      }
      for (const route of inDocument) {
        if (!rows.some((r) => r.route === route)) {
          problems.push(`${doc}: the Routes table has no row for ${route} (in docs/openapi.json)`);
        }
      }
      for (const { route, line } of rows) {
        if (!inDocument.includes(route)) {
          problems.push(`${doc}:${line}: lists ${route}, which docs/openapi.json does not have`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('Markdown links', () => {
  const files = repositoryFiles();
  const fileSet = new Set(files);
  const isDirectory = (path: string) => files.some((f) => f.startsWith(`${path}/`));
  const markdown = files.filter((f) => f.endsWith('.md') && !f.split('/').includes('node_modules'));
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (file: string) => {
    let found = anchorsOf.get(file);
    if (!found) anchorsOf.set(file, (found = headingAnchors(read(file))));
    return found;
  };

  it('finds the Markdown files', () => {
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/api.md']));
  });

  it('resolves every relative link and #anchor of every Markdown file', () => {
    const problems: string[] = [];
    for (const file of markdown) {
      for (const { target, line } of markdownLinks(read(file))) {
        // Absolute URLs (https:, mailto:, …) and protocol-relative ones are not checked.
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
        const at = `${file}:${line}: link ${target}`;
        const [pathPart = '', anchor] = target.split('#', 2) as [string, string | undefined];
        let path: string;
        try {
          path = decodeURIComponent(pathPart.split('?')[0]!);
        } catch {
          problems.push(`${at}: malformed URL encoding`);
          continue;
        }
        const resolved =
          path === ''
            ? file
            : posix
                .normalize(
                  relative(
                    ROOT,
                    normalize(join(ROOT, path.startsWith('/') ? '' : dirname(file), path)),
                  ),
                )
                .replace(/\/$/, '');
        if (resolved.startsWith('..')) {
          problems.push(`${at}: points outside the repository`);
          continue;
        }
        if (!fileSet.has(resolved) && !isDirectory(resolved)) {
          problems.push(`${at}: ${resolved} is not in the repository`);
          continue;
        }
        if (anchor !== undefined && anchor !== '' && resolved.endsWith('.md')) {
          const name = decodeURIComponent(anchor);
          if (!anchors(resolved).has(name)) {
            problems.push(`${at}: ${resolved} has no heading with the anchor #${name}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
