import { intOption, parseArgs, splitCommand, timeOption, UsageError } from './args';

const isGroup = (word: string) => word === 'tasks';

describe('splitCommand', () => {
  it('takes one word, or two after a group', () => {
    expect(splitCommand(['runs', '--limit', '5'], isGroup)).toEqual({
      leading: [],
      words: ['runs'],
      rest: ['--limit', '5'],
    });
    expect(splitCommand(['tasks', 'get', 'abc'], isGroup)).toEqual({
      leading: [],
      words: ['tasks', 'get'],
      rest: ['abc'],
    });
  });

  it('skips global options before the command, with their values', () => {
    expect(
      splitCommand(['--url', 'http://x', '--json', '--key=k', 'tasks', 'list', '-h'], isGroup),
    ).toEqual({
      leading: ['--url', 'http://x', '--json', '--key=k'],
      words: ['tasks', 'list'],
      rest: ['-h'],
    });
  });

  it('does not take an option as the second word of a group', () => {
    expect(splitCommand(['tasks', '--help'], isGroup)).toEqual({
      leading: [],
      words: ['tasks'],
      rest: ['--help'],
    });
  });

  it('finds no command in an empty line', () => {
    expect(splitCommand([], isGroup)).toEqual({ leading: [], words: [], rest: [] });
  });
});

describe('parseArgs', () => {
  const spec = { name: 'string', json: 'boolean', help: 'boolean' } as const;

  it('reads --opt value, --opt=value, flags, -h and positionals in any order', () => {
    expect(parseArgs(['a', '--name', 'x y', 'b', '--json', '-h'], spec)).toEqual({
      options: { name: 'x y', json: true, help: true },
      lists: {},
      positionals: ['a', 'b'],
    });
    expect(parseArgs(['--name=a=b'], spec).options).toEqual({ name: 'a=b' });
  });

  it('keeps a value that starts with a dash but is not an option (a crontab, a number)', () => {
    expect(parseArgs(['--name', '*/5 * * * *'], spec).options.name).toBe('*/5 * * * *');
    expect(parseArgs(['--name', '-1'], spec).options.name).toBe('-1');
    expect(parseArgs(['--name', '-'], spec).options.name).toBe('-');
  });

  it('treats everything after -- as positional', () => {
    expect(parseArgs(['--', '--json', '-x'], spec)).toEqual({
      options: {},
      lists: {},
      positionals: ['--json', '-x'],
    });
  });

  it('collects every value of a repeatable option, in order', () => {
    const withList = { ...spec, header: 'list' } as const;
    const parsed = parseArgs(['--header', 'A: 1', '--name', 'n', '--header=B: 2'], withList);
    expect(parsed.lists).toEqual({ header: ['A: 1', 'B: 2'] });
    expect(parsed.options).toEqual({ header: 'B: 2', name: 'n' });
    expect(parseArgs(['--name', 'a', '--name', 'b'], withList).lists).toEqual({});
  });

  it('rejects unknown options, a missing value and a value on a flag, naming the option', () => {
    const fail = (argv: string[]) => {
      try {
        parseArgs(argv, spec, 'tasks list');
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        expect((err as UsageError).command).toBe('tasks list');
        return (err as Error).message;
      }
      throw new Error('parsed');
    };
    expect(fail(['--nope'])).toBe('unknown option --nope');
    expect(fail(['--nope=1'])).toBe('unknown option --nope');
    expect(fail(['-x'])).toBe('unknown option -x');
    expect(fail(['--name'])).toBe('--name needs a value');
    expect(fail(['--name', '--json'])).toBe('--name needs a value');
    expect(fail(['--json=1'])).toBe('--json takes no value');
  });
});

describe('option values', () => {
  it('intOption: whole numbers in range, else a usage error', () => {
    expect(intOption(undefined, 'limit', 'runs', 1)).toBeUndefined();
    expect(intOption('20', 'limit', 'runs', 1)).toBe(20);
    for (const bad of ['0', '-1', '1.5', 'x', '']) {
      expect(() => intOption(bad, 'limit', 'runs', 1)).toThrow(
        '--limit must be a whole number from 1',
      );
    }
  });

  it('timeOption: unix seconds or ISO 8601, as unix seconds', () => {
    expect(timeOption('1767225600', 'from', 'runs')).toBe(1767225600);
    expect(timeOption('2026-01-01', 'from', 'runs')).toBe(1767225600);
    expect(timeOption('2026-01-01T00:00:01.900Z', 'from', 'runs')).toBe(1767225601);
    expect(() => timeOption('yesterday', 'from', 'runs')).toThrow(
      '--from must be unix seconds or an ISO 8601 time',
    );
    expect(() => timeOption('2026-13-45', 'from', 'runs')).toThrow(UsageError);
  });
});
