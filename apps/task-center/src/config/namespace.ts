/**
 * TASK_CENTER_NAMESPACE: one prefix for every topic and consumer group name this deployment
 * defaults to, so two deployments on one Kafka cluster (staging and production, each with its
 * own database) never read each other's results. Unset, the names stay today's, so an
 * existing deployment keeps its topics and committed offsets across an upgrade.
 */
export function namespaced(namespace: string | undefined, name: string): string {
  return namespace === undefined ? name : `${namespace}.${name}`;
}

/** The defaults that carry the namespace (explicit KAFKA_TOPIC_* and *_GROUP settings win). */
export const DEFAULT_GROUPS = {
  results: 'task-center-results',
  httpTargets: 'task-center.http-targets',
} as const;
