import { decodeFire, fireHeaders, messageIdOf, type RawFireMessage } from './fire-codec';
import { FireHeader } from './headers';
import { TaskType } from './task-types';

const headers = {
  [FireHeader.tag]: Buffer.from('billing'),
  [FireHeader.taskId]: Buffer.from('t1'),
  [FireHeader.messageId]: Buffer.from('m1'),
  [FireHeader.scheduledAt]: Buffer.from('1700000000000'),
  [FireHeader.publishedAt]: Buffer.from('1700000000004'),
  [FireHeader.attempt]: Buffer.from('1'),
  [FireHeader.taskType]: Buffer.from('3'),
};

describe('decodeFire', () => {
  it('decodes a complete fire, keeping data byte for byte', () => {
    const data = '{"a":1} \u00e9\n';
    const result = decodeFire({
      value: Buffer.from(data),
      headers: {
        ...headers,
        [FireHeader.maxRuntime]: Buffer.from('30'),
        [FireHeader.ack]: Buffer.from('true'),
      },
    });
    expect(result).toEqual({
      ok: true,
      fire: {
        tag: 'billing',
        taskId: 't1',
        messageId: 'm1',
        scheduledAt: 1700000000000,
        publishedAt: 1700000000004,
        attempt: 1,
        taskType: TaskType.Crontab,
        maxRuntime: 30,
        ack: true,
        data,
      },
    });
  });

  it('leaves optional fields out when their headers are absent', () => {
    const result = decodeFire({ value: null, headers });
    expect(result.ok && result.fire).toEqual(
      expect.not.objectContaining({ maxRuntime: expect.anything() }),
    );
    expect(result.ok && result.fire.data).toBe('');
    expect(result.ok && 'ack' in result.fire).toBe(false);
  });

  it.each<[string, RawFireMessage['headers'], string]>([
    ['no tag', { ...headers, [FireHeader.tag]: undefined }, 'missing header tc-tag'],
    [
      'no message id',
      { ...headers, [FireHeader.messageId]: undefined },
      'missing header tc-message-id',
    ],
    [
      'a non-numeric time',
      { ...headers, [FireHeader.scheduledAt]: 'soon' },
      'bad header tc-scheduled-at',
    ],
    ['attempt 0', { ...headers, [FireHeader.attempt]: '0' }, 'bad header tc-attempt'],
    ['an unknown task type', { ...headers, [FireHeader.taskType]: '9' }, 'bad header tc-task-type'],
    [
      'a negative max runtime',
      { ...headers, [FireHeader.maxRuntime]: '-5' },
      'bad header tc-max-runtime',
    ],
  ])('rejects a message with %s', (_what, badHeaders, reason) => {
    expect(decodeFire({ value: 'x', headers: badHeaders })).toEqual({ ok: false, reason });
  });
});

describe('fireHeaders', () => {
  const fire = {
    tag: 'billing',
    taskId: 't1',
    messageId: messageIdOf('t1', 1700000000000, 2),
    scheduledAt: 1700000000000,
    publishedAt: 1700000000004,
    attempt: 2,
    taskType: TaskType.Crontab,
  };

  it('formats every header as a string, in a fixed key order', () => {
    const headers = fireHeaders({ ...fire, maxRuntime: 30, ack: true });
    expect(Object.entries(headers)).toEqual([
      ['tc-tag', 'billing'],
      ['tc-task-id', 't1'],
      ['tc-message-id', 't1:1700000000000:2'],
      ['tc-scheduled-at', '1700000000000'],
      ['tc-published-at', '1700000000004'],
      ['tc-attempt', '2'],
      ['tc-task-type', '3'],
      ['tc-max-runtime', '30'],
      ['tc-ack', 'true'],
    ]);
  });

  it('leaves tc-max-runtime and tc-ack out when unset or false', () => {
    const headers = fireHeaders({ ...fire, ack: false });
    expect(Object.keys(headers)).toEqual([
      'tc-tag',
      'tc-task-id',
      'tc-message-id',
      'tc-scheduled-at',
      'tc-published-at',
      'tc-attempt',
      'tc-task-type',
    ]);
  });

  it('round-trips through decodeFire', () => {
    const withOptions = { ...fire, maxRuntime: 30, ack: true };
    expect(decodeFire({ value: 'x', headers: fireHeaders(withOptions) })).toEqual({
      ok: true,
      fire: { ...withOptions, data: 'x' },
    });
    expect(decodeFire({ value: 'x', headers: fireHeaders(fire) })).toEqual({
      ok: true,
      fire: { ...fire, data: 'x' },
    });
  });
});
