import { githubSlug, headingAnchors, markdownLinks, proseLines, tableRows } from './markdown';

describe('githubSlug', () => {
  it.each([
    ['API keys and scopes', 'api-keys-and-scopes'],
    ['The system at a glance: `GET /v1/api/overview`', 'the-system-at-a-glance-get-v1apioverview'],
    ['API (under `/v1/api`, errors `{err, msg}`)', 'api-under-v1api-errors-err-msg'],
    ['Costs, measured', 'costs-measured'],
    ['A — B', 'a--b'],
    ['task_center_tasks', 'task_center_tasks'],
    ['Größe 2', 'größe-2'],
  ])('%s -> %s', (heading, slug) => {
    expect(githubSlug(heading.replace(/`/g, ''))).toBe(slug);
  });
});

describe('headingAnchors', () => {
  it('numbers repeated headings and ignores # lines in code blocks', () => {
    const md = [
      '# Title',
      '## Setup',
      '```bash',
      '# Setup',
      '```',
      '## Setup',
      '### [Linked](x.md) `code` heading ##',
      '<a id="custom"></a>',
    ].join('\n');
    expect([...headingAnchors(md)]).toEqual([
      'title',
      'setup',
      'setup-1',
      'linked-code-heading',
      'custom',
    ]);
  });
});

describe('markdownLinks', () => {
  it('finds inline links, images and definitions outside code, with their lines', () => {
    const md = [
      'See [the API](docs/api.md#routes) and ![shot](img/a.png "title").',
      'Not `[code](nope.md)` here.',
      '```md',
      '[fenced](nope.md)',
      '```',
      '[ref]: <docs/x y.md>',
      'Two: [a](a.md), [b](https://example.com).',
    ].join('\n');
    expect(markdownLinks(md)).toEqual([
      { target: 'docs/api.md#routes', line: 1 },
      { target: 'img/a.png', line: 1 },
      { target: 'docs/x y.md', line: 6 },
      { target: 'a.md', line: 7 },
      { target: 'https://example.com', line: 7 },
    ]);
  });

  it('keeps line numbers when a fence of four backticks holds one of three', () => {
    const lines = proseLines(['````md', '```', '[x](y.md)', '```', '````', 'after'].join('\n'));
    expect(lines).toEqual(['', '', '', '', '', 'after']);
  });
});

describe('tableRows', () => {
  it('returns body rows with their cells, split on unescaped pipes only', () => {
    const md = [
      'text',
      '| variable | default |',
      '| -------- | ------- |',
      '| `PORT`   | `3000`  |',
      '| `A\\|\\|B` | (none) |',
    ].join('\n');
    expect(tableRows(md)).toEqual([
      { cells: ['`PORT`', '`3000`'], line: 4 },
      { cells: ['`A\\|\\|B`', '(none)'], line: 5 },
    ]);
  });
});
