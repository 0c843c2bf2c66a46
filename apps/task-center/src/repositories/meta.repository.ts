/**
 * The `meta` collection: a few documents about the deployment itself, written once. Today the
 * deployment id, which tells this database's task centers from another database's on a
 * shared Kafka cluster.
 */
export abstract class MetaRepository {
  /**
   * The deployment id stored in this database; `candidate` is stored when there is none yet
   * (the first replica to start wins, the others read its id).
   */
  abstract deploymentId(candidate: string, now: number): Promise<string>;
  /** The database's name, for log lines that tell two deployments apart. */
  abstract databaseName(): string;
}
