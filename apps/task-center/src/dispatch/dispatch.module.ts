import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { TasksModule } from '../tasks/tasks.module';
import { DispatchStore } from './dispatch.store';
import { Dispatcher } from './dispatcher.service';
import { FireDoc, FireSchema } from './fire.schema';
import { FirePublisher } from './fire-publisher';
import { LeaseStore } from './lease.store';
import { MongoDispatchStore } from './mongo-dispatch.store';
import { MongoLeaseStore } from './mongo-lease.store';
import { ShardLeases } from './shard-leases';

@Module({
  imports: [TasksModule, MongooseModule.forFeature([{ name: FireDoc.name, schema: FireSchema }])],
  providers: [
    Dispatcher,
    FirePublisher,
    ShardLeases,
    { provide: DispatchStore, useClass: MongoDispatchStore },
    { provide: LeaseStore, useClass: MongoLeaseStore },
  ],
  exports: [ShardLeases, FirePublisher],
})
export class DispatchModule {}
