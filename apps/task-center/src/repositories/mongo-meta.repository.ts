import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Collection, type Connection } from 'mongoose';
import { isDuplicateKey } from '../database/duplicate-key';
import { MetaRepository } from './meta.repository';

interface DeploymentDoc {
  _id: 'deployment';
  deployment_id: string;
  created_at: number;
}

/** One document per fact, by a fixed `_id`; inserted once, never updated. */
@Injectable()
export class MongoMetaRepository extends MetaRepository {
  private readonly meta: Collection<DeploymentDoc>;

  constructor(@InjectConnection() private readonly connection: Connection) {
    super();
    this.meta = connection.collection<DeploymentDoc>('meta');
  }

  async deploymentId(candidate: string, now: number): Promise<string> {
    // An insert on a fixed _id: atomic on both backends, unlike an upsert on FerretDB v1.
    try {
      await this.meta.insertOne({ _id: 'deployment', deployment_id: candidate, created_at: now });
      return candidate;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const doc = await this.meta.findOne({ _id: 'deployment' });
    if (!doc) throw new Error('meta: the deployment document vanished after a duplicate key');
    return doc.deployment_id;
  }

  databaseName(): string {
    return this.connection.db?.databaseName ?? this.connection.name;
  }
}
