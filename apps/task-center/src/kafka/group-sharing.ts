import { type Deployment, deploymentOfClientId } from './deployment';

/** What admin describeGroups says of a group, reduced to what the check needs. */
export interface GroupMembers {
  groupId: string;
  members: { clientId: string }[];
}

/** Another deployment's live member in one of our consumer groups. */
export interface SharedGroup {
  groupId: string;
  other: Deployment;
  /** The setting that names this group, for the way out. */
  setting: string;
}

/**
 * The first of our groups that a live member of another deployment is in. Untagged members
 * (a center older than this check, the standalone HTTP delivery worker) cannot be told
 * apart and are let be.
 */
export function sharedGroup(
  groups: GroupMembers[],
  ours: Deployment,
  settingOf: (groupId: string) => string,
): SharedGroup | null {
  for (const group of groups) {
    for (const member of group.members) {
      const other = deploymentOfClientId(member.clientId);
      if (other && other.id !== ours.id) {
        return { groupId: group.groupId, other, setting: settingOf(group.groupId) };
      }
    }
  }
  return null;
}

/** The one line a center that refuses to start prints. */
export function sharedGroupLine(shared: SharedGroup, ours: Deployment): string {
  return (
    `consumer group ${shared.groupId} is in use by another task center deployment ` +
    `(${shared.other.id}, database ${shared.other.database}; this one is ${ours.id}, ` +
    `database ${ours.database}): each would drop the other's outcomes. ` +
    `Set TASK_CENTER_NAMESPACE (its own topics and groups) or ${shared.setting} (its own group)`
  );
}
