import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection } from 'mongoose';

/**
 * Which server answers the connection: MongoDB, or FerretDB (which speaks its wire protocol
 * but differs where it matters: non-atomic updates, indexes its backends cannot use). Asked
 * once with `buildInfo`; asked again on the next call if the database was unreachable.
 */
@Injectable()
export class DatabaseFlavor {
  private readonly logger = new Logger('Database');
  private ferretDb?: Promise<boolean>;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  isFerretDb(): Promise<boolean> {
    this.ferretDb ??= this.detect().catch((err: unknown) => {
      this.ferretDb = undefined; // the database is down: ask again next time
      throw err;
    });
    return this.ferretDb;
  }

  private async detect(): Promise<boolean> {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB connection is not open');
    const info = await db.admin().command({ buildInfo: 1 });
    const ferret = 'ferretdbVersion' in info || 'ferretdbFeatures' in info;
    this.logger.log(
      ferret
        ? 'FerretDB detected: task writes take insert-based locks (its updates are not atomic)'
        : 'MongoDB detected: task writes rely on atomic conditional updates',
    );
    return ferret;
  }
}
