import { FireHeader, TaskType } from '@task-center/contracts';
import { decodeFire, type RawFireMessage } from './decode-fire';

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
