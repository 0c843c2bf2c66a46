import { deploymentOfClientId, taggedClientId } from './deployment';
import { sharedGroup, sharedGroupLine } from './group-sharing';

const ours = { id: 'aaaa11112222', database: 'task_center' };
const theirs = { id: 'bbbb33334444', database: 'task_center' };
const setting = (g: string) => (g === 'task-center-results' ? 'RUNS_RESULTS_GROUP' : 'X');

describe('deployment client ids', () => {
  it('round-trips the deployment through the client id', () => {
    const clientId = taggedClientId('task-center', ours);
    expect(clientId.startsWith('task-center;')).toBe(true);
    expect(deploymentOfClientId(clientId)).toEqual(ours);
  });

  it('reads no deployment from an untagged client id', () => {
    expect(deploymentOfClientId('task-center')).toBeNull();
    expect(deploymentOfClientId('task-center-http-targets')).toBeNull();
  });
});

describe('sharedGroup', () => {
  it("finds another deployment's live member in one of our groups", () => {
    const groups = [
      { groupId: 'task-center.http-targets', members: [] },
      {
        groupId: 'task-center-results',
        members: [
          { clientId: taggedClientId('task-center', ours) },
          { clientId: taggedClientId('task-center', theirs) },
        ],
      },
    ];
    expect(sharedGroup(groups, ours, setting)).toEqual({
      groupId: 'task-center-results',
      other: theirs,
      setting: 'RUNS_RESULTS_GROUP',
    });
  });

  it('lets our own replicas and untagged members be', () => {
    const groups = [
      {
        groupId: 'task-center-results',
        members: [
          { clientId: taggedClientId('task-center', ours) },
          { clientId: taggedClientId('replica-b', ours) },
          { clientId: 'task-center' },
        ],
      },
    ];
    expect(sharedGroup(groups, ours, setting)).toBeNull();
  });

  it('says which group, which deployment and database, and both ways out in one line', () => {
    const line = sharedGroupLine(
      { groupId: 'task-center-results', other: theirs, setting: 'RUNS_RESULTS_GROUP' },
      ours,
    );
    expect(line).not.toContain('\n');
    expect(line).toContain('consumer group task-center-results');
    expect(line).toContain('bbbb33334444, database task_center');
    expect(line).toContain('TASK_CENTER_NAMESPACE');
    expect(line).toContain('RUNS_RESULTS_GROUP');
  });
});
