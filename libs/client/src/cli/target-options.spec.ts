import { type Task } from '../http/task-center.types';
import { UsageError } from './args';
import { hasTargetOptions, targetFields, targetOf } from './target-options';

const CURRENT: NonNullable<Task['target']> = {
  type: 'http',
  url: 'https://old.example.com/hook',
  method: 'PATCH',
  headers: { 'x-team': 'a', authorization: 'Bearer t' },
  timeout_s: 20,
};

const input = (
  options: Record<string, string | boolean>,
  header?: string[],
): { options: Record<string, string | boolean>; lists: Record<string, string[]> } => ({
  options,
  lists: header ? { header } : {},
});

describe('target options', () => {
  it('builds a target from --target alone, leaving defaults to the server', () => {
    expect(targetOf(input({ target: 'https://h.example/x' }), 'tasks create')).toEqual({
      type: 'http',
      url: 'https://h.example/x',
      method: 'POST',
    });
    expect(targetOf(input({ name: 'n' }), 'tasks create')).toBeUndefined();
  });

  it('applies the options on top of the current target: --header replaces all headers', () => {
    expect(targetOf(input({ target: 'https://new.example/' }), 'tasks update', CURRENT)).toEqual({
      ...CURRENT,
      url: 'https://new.example/',
    });
    expect(
      targetOf(input({ method: 'get', header: 'X-B: 2' }, ['X-B: 2']), 'tasks update', CURRENT),
    ).toEqual({ ...CURRENT, method: 'GET', headers: { 'x-b': '2' } });
  });

  it('refuses request options without a URL, and a header given twice', () => {
    expect(() => targetOf(input({ timeout: '5', method: 'GET' }), 'tasks create')).toThrow(
      new UsageError('--method, --timeout go with --target URL', 'tasks create'),
    );
    expect(() =>
      targetOf(input({ target: 'https://h' }, ['A: 1', 'a: 2']), 'tasks create'),
    ).toThrow('--header a is given twice');
    expect(hasTargetOptions(input({ timeout: '5' }))).toBe(true);
    expect(hasTargetOptions(input({ name: 'x' }))).toBe(false);
  });

  it('prints the request line and the headers with credentials masked', () => {
    expect(targetFields(CURRENT)).toEqual([
      ['target', 'PATCH https://old.example.com/hook (timeout 20 s)'],
      ['headers', 'x-team: a, authorization: ••••'],
    ]);
    expect(targetFields({ ...CURRENT, headers: {} })).toHaveLength(1);
  });
});
