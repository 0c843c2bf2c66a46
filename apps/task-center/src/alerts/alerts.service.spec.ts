import { type AppConfig } from '../config';
import { type ShardLeases } from '../leases/shard-leases';
import { type MetricsService } from '../metrics/metrics.service';
import { type TasksRepository } from '../repositories/tasks.repository';
import { type WorkerRegistry } from '../runs/worker-registry';
import { type AlertWebhook } from './alert-webhook';
import { AlertsService } from './alerts.service';

/** AlertsService.checkWorkers over stand-ins: active tags, and the workers the registry knows. */
function alerts(runsEnabled: boolean, workers: { alive: boolean; group: string }[] = []) {
  const raised: string[] = [];
  const config = {
    alerts: { nameFiresPerMin: 0, totalFiresPerMin: 0, minIntervalMs: 0, noWorkerCheckMs: 0 },
    runs: { enabled: runsEnabled },
    httpTargets: { group: 'task-center.http' },
    dispatch: { enabled: true },
  } as unknown as AppConfig;
  const metrics = {
    alertRaised: (kind: string) => raised.push(kind),
    failed: (err: unknown) => {
      throw err;
    },
  } as unknown as MetricsService;
  const webhook = { send: () => undefined } as unknown as AlertWebhook;
  const tasks = {
    activeNames: async () => ['billing.reminder'],
    hasActiveHttpTargets: async () => false,
  } as unknown as TasksRepository;
  const registry = {
    list: async () => ({ workers, byTag: {} }),
  } as unknown as WorkerRegistry;
  const leases = { holds: () => true } as unknown as ShardLeases;
  return {
    service: new AlertsService(config, metrics, webhook, tasks, registry, leases),
    raised,
  };
}

describe('AlertsService.checkWorkers', () => {
  it('raises no_live_worker for an active tag without a live worker', async () => {
    const { service, raised } = alerts(true);
    await service.checkWorkers();
    expect(raised).toEqual(['no_live_worker']);
  });

  it('says nothing when this replica reads no heartbeats (RUNS_ENABLED=false) and none is recorded', async () => {
    const { service, raised } = alerts(false);
    await service.checkWorkers();
    expect(raised).toEqual([]);
  });

  it('still judges with RUNS_ENABLED=false when another replica records heartbeats', async () => {
    const { service, raised } = alerts(false, [{ alive: false, group: 'billing' }]);
    await service.checkWorkers();
    expect(raised).toEqual(['no_live_worker']);
  });
});
