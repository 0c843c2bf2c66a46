/** Which task center deployment (one database) a Kafka client belongs to. */
export interface Deployment {
  /** Random, stored once in the database's `meta` collection. */
  id: string;
  database: string;
}

/** DI token for this process's {@link Deployment}. */
export const DEPLOYMENT = Symbol('DEPLOYMENT');

const TAG = /;deployment=([0-9a-f]+);db=([^;]*)$/;

/**
 * The Kafka client id a center connects with: KAFKA_CLIENT_ID plus its deployment, so that a
 * consumer group's member list (admin describeGroups) says whose members they are.
 */
export function taggedClientId(base: string, deployment: Deployment): string {
  return `${base};deployment=${deployment.id};db=${deployment.database}`;
}

/** The deployment a group member's client id names; null for an untagged client. */
export function deploymentOfClientId(clientId: string): Deployment | null {
  const m = TAG.exec(clientId);
  return m ? { id: m[1]!, database: m[2]! } : null;
}
