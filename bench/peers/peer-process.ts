/**
 * One peer (Agenda or BullMQ) in its own process, driven by bench/peers/child-peer.ts over
 * IPC: `node peer-process.js <kind> <json constructor args>`. Exits when the bench
 * disconnects.
 */
import { AgendaPeer } from './agenda.peer';
import { BullmqPeer } from './bullmq.peer';
import type { ChildPeerKind, PeerCall, PeerMessage } from './child-peer';
import { type Peer } from './peer';

const makers: Record<ChildPeerKind, (args: string[]) => Peer> = {
  agenda: ([uri, backend]) => new AgendaPeer(uri!, backend!),
  bullmq: () => new BullmqPeer(),
};

const [kind, json] = process.argv.slice(2) as [ChildPeerKind, string];
const peer = makers[kind](JSON.parse(json) as string[]);
const send = (message: PeerMessage) => process.send!(message);

let fires: [string, number, number][] = [];
setInterval(() => {
  if (fires.length === 0) return;
  send({ fires });
  fires = [];
}, 20);

async function serve(request: PeerCall): Promise<unknown> {
  switch (request.call) {
    case 'setup':
      return peer.setup((key, scheduledAt, startedAt) => {
        fires.push([key, scheduledAt, startedAt]);
      });
    case 'createRepeating':
      return peer.createRepeating(...request.args);
    case 'removeRepeating':
      return peer.removeRepeating(...request.args);
    case 'createOneShots':
      return peer.createOneShots(...request.args);
    case 'storeIdle':
      return peer.storeIdle(...request.args);
    case 'teardown':
      return peer.teardown();
  }
}

process.on('message', (request: PeerCall & { id: number }) => {
  serve(request).then(
    (result) => send({ id: request.id, result }),
    (err: unknown) =>
      send({ id: request.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
// The bench is gone (or done): so is the peer, whatever its clients still hold open.
process.on('disconnect', () => process.exit(0));
send({ ready: true });
