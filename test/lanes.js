// The two integration lanes of `npm run test` (scripts/test-all.sh). Each lane runs one suite at
// a time on a stack of its own, both lanes at once, on a 2-core machine: what runs beside what
// is chosen here, so that the heavy, timing-sensitive suites of one lane do not meet the
// heaviest suite of the other.
//
// Lane 2 runs `lane2`, in this order, on a second stack: the chaos suite first (2 minutes of
// load at 300 fires/s, restarts of its own Kafka and database; about 220 s), then suites that
// restart their stack or need no browser. Lane 1 runs every other integration suite: the
// lighter ones first (default order), then `lane1Last` in this order, once lane 2's chaos run
// is over. Durations of a CI run: `npx jest --selectProjects integration` prints them.
module.exports = {
  lane2: [
    'test/chaos.e2e-spec.ts',
    'test/dispatch-failure.e2e-spec.ts',
    'test/namespace.e2e-spec.ts',
    'test/http-targets.e2e-spec.ts',
    'test/contract.e2e-spec.ts',
    'test/tasks-api.e2e-spec.ts',
    'test/create-tasks.e2e-spec.ts',
    'test/compatibility.e2e-spec.ts',
    'test/ops.e2e-spec.ts',
    'test/startup.e2e-spec.ts',
    'test/cli.e2e-spec.ts',
    'test/http-targets-crash.e2e-spec.ts',
    'test/retention.e2e-spec.ts',
  ],
  lane1Last: [
    'test/kafka-cluster.e2e-spec.ts',
    'test/partition.e2e-spec.ts',
    'test/shutdown-burst.e2e-spec.ts',
    'test/ack-deadline-crash.e2e-spec.ts',
    'test/runs.e2e-spec.ts',
    'test/dispatch.e2e-spec.ts',
    'test/dispatch-load.e2e-spec.ts',
    'test/overview.e2e-spec.ts',
    'test/worker-sdk.e2e-spec.ts',
  ],
};
