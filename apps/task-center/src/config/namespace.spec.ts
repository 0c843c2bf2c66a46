import { ConfigError, loadConfig } from './load-config';

const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017/tc', KAFKA_BROKERS: '127.0.0.1:9092' };

const names = (env: Record<string, string>) => {
  const config = loadConfig({ ...base, ...env });
  return {
    topics: config.kafka.topics,
    resultsGroup: config.runs.resultsGroup,
    httpGroup: config.httpTargets.group,
    namespace: config.kafka.namespace,
  };
};

describe('TASK_CENTER_NAMESPACE', () => {
  it("unset: today's topic and group names, exactly (an upgrade keeps its offsets)", () => {
    expect(names({})).toEqual({
      topics: {
        tasks: 'task-center.tasks',
        results: 'task-center.results',
        deadLetter: 'task-center.dead-letter',
        http: 'task-center.http',
      },
      resultsGroup: 'task-center-results',
      httpGroup: 'task-center.http-targets',
      namespace: undefined,
    });
  });

  it('set: prefixes every default topic and group name', () => {
    expect(names({ TASK_CENTER_NAMESPACE: 'staging' })).toEqual({
      topics: {
        tasks: 'staging.task-center.tasks',
        results: 'staging.task-center.results',
        deadLetter: 'staging.task-center.dead-letter',
        http: 'staging.task-center.http',
      },
      resultsGroup: 'staging.task-center-results',
      httpGroup: 'staging.task-center.http-targets',
      namespace: 'staging',
    });
  });

  it('explicit topic and group settings win over the namespace', () => {
    const got = names({
      TASK_CENTER_NAMESPACE: 'staging',
      KAFKA_TOPIC_RESULTS: 'my.results',
      RUNS_RESULTS_GROUP: 'my-group',
    });
    expect(got.topics.results).toBe('my.results');
    expect(got.topics.tasks).toBe('staging.task-center.tasks');
    expect(got.resultsGroup).toBe('my-group');
    expect(got.httpGroup).toBe('staging.task-center.http-targets');
  });

  it.each(['has space', '.leading-dot', 'x'.repeat(101), 'a/b'])('refuses %j in one line', (ns) => {
    expect(() => loadConfig({ ...base, TASK_CENTER_NAMESPACE: ns })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, TASK_CENTER_NAMESPACE: ns })).toThrow(
      /^TASK_CENTER_NAMESPACE must be 1-100 characters/,
    );
  });
});
