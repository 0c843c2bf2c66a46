import { type TaskStatus, type TaskType } from '@task-center/contracts';
import { type components, type operations } from './api-schema';

// The task center's HTTP shapes, from its OpenAPI document (docs/openapi.json, generated into
// api-schema.ts by `npm run openapi`; CI fails when either is stale). This file only names
// them for SDK users and narrows what JSON Schema says loosely (the per-item result unions).

type Schemas = components['schemas'];
/** The query parameters of one operation of the document. */
type QueryOf<K extends keyof operations> = NonNullable<operations[K]['parameters']['query']>;
/** A list parameter: the client also takes a single value, and sends lists comma-separated. */
type OneOrMany<T> = T extends (infer U)[] ? U | U[] : T;

export type MisfirePolicy = NonNullable<Schemas['CreateTaskDto']['misfire']>;
export type RetryPolicy = Schemas['RetryPolicyDto'];
/** A task's definition. As in the original API, 0 and "" in optional fields mean "not set". */
export type TaskDefinition = Omit<Schemas['CreateTaskDto'], 'upsert'>;
export type CreateTaskRequest = Schemas['CreateTaskDto'];
export type CreateTaskResponse = Schemas['CreateTaskResponse'];
/** One task's result in `POST /v1/api/create-tasks`: what `createTask` answers, or its error. */
export type CreateTaskItemResult = Schemas['CreateTaskItemResult'] &
  (
    | { ok: true; taskid: string; name: string; created: boolean }
    | { ok: false; err: number; msg: string }
  );
/** `POST /v1/api/create-tasks` (and the client's `createTasks`): a result per task, in order. */
export type CreateTasksResult = Omit<Schemas['CreateTasksResponse'], 'results'> & {
  results: CreateTaskItemResult[];
};
/** Fields to change; absent fields keep their value. */
export type UpdateTaskRequest = Omit<Schemas['UpdateTaskDto'], 'taskid'>;
export type PreviewTaskRequest = Schemas['PreviewTaskDto'];
export type PreviewFire = Schemas['PreviewFireResponse'];
/** `POST /v1/api/preview-task`: the next fire times and the schedule in words. */
export type Preview = Schemas['PreviewResponse'];
/** A task as the API returns it. Optional fields the task does not set are absent. */
export type Task = Omit<Schemas['TaskResponse'], 'type'> & { type: TaskType };

export interface TaskPage {
  /** Newest first. */
  tasks: Task[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

// ---- Search (GET /v1/api/tasks, /runs, /run-errors) and runs: docs/api.md.
// Query parameters keep the API's snake_case names; a list is sent comma-separated.

/** The statuses `GET /v1/api/tasks` can filter by (deleted tasks are never listed). */
export type SearchableTaskStatus = NonNullable<
  QueryOf<'TaskSearchController_find'>['status']
>[number];

/** `GET /v1/api/tasks`: every filter given must hold. */
export type SearchTasksFilters = {
  [K in keyof QueryOf<'TaskSearchController_find'>]?: OneOrMany<
    QueryOf<'TaskSearchController_find'>[K]
  >;
};
export type TaskSearchPage = Schemas['TaskSearchResponse'];

/** `state=` of `GET /v1/api/runs`. */
export type RunSearchState = NonNullable<QueryOf<'RunSearchController_runs'>['state']>[number];
/** A fire's state, folded from its records. */
export type FireState = Schemas['FireResponse']['state'];
/** `GET /v1/api/runs`. */
export type RunsFilters = {
  [K in keyof QueryOf<'RunSearchController_runs'>]?: OneOrMany<
    QueryOf<'RunSearchController_runs'>[K]
  >;
};
export type FireOutcome = Schemas['OutcomeResponse'];
export type FireAttempt = Schemas['AttemptResponse'];
/** One fire with its attempts (instants in epoch ms, like message ids). */
export type Fire = Schemas['FireResponse'];
export type RunsPage = Schemas['RunsPageResponse'];
/** `GET /v1/api/run-errors`: events recorded in `[from, to)`. */
export type RunErrorsRange = QueryOf<'RunSearchController_errors'>;
export type RunErrorGroup = Schemas['RunErrorResponse'];

export interface TaskRunsPage {
  /** Newest first. */
  fires: Fire[];
  /** From the X-Next-Cursor header; absent on the last page. */
  nextCursor?: string;
}

/** A dead fire not redriven yet. */
export type DeadLetter = Schemas['DeadLetterResponse'];

export interface DeadLetterPage {
  /** Newest first. */
  deadLetters: DeadLetter[];
  /** From the X-Next-Cursor header; absent on the last page. */
  nextCursor?: string;
}

export type RedriveResult = Schemas['RedriveResponse'];
export type RunCounts = Schemas['OutcomeCounts'];
/** `GET /v1/api/run-stats`: one UTC day. */
export type RunStats = Schemas['RunStatsResponse'];
/** A worker process, as its heartbeats describe it. */
export type WorkerInfo = Schemas['WorkerProcessResponse'];
export type WorkersView = Schemas['WorkersResponse'];
/** `GET /v1/api/whoami`. */
export type Whoami = Schemas['WhoamiResponse'];

/** `GET /v1/api/overview`: the system at a glance. */
export type Overview = Schemas['OverviewResponse'];
export type OverviewWindow = QueryOf<'OverviewController_get'>;

/** What `POST /v1/api/bulk-task-action` does to each task. */
export type BulkTaskAction = Schemas['BulkTaskActionDto']['action'];
/** Which live tasks a bulk action by filter selects: every field given must hold. */
export type BulkTaskFilter = Schemas['BulkTaskFilterDto'];

/**
 * By `ids` (1..1000; a write key) or by `filter` (at least one field; an admin key), never
 * both. `limit` (1..1000, default 1000) bounds a request by filter.
 */
export type BulkTaskActionRequest =
  | { action: BulkTaskAction; ids: string[] }
  | { action: BulkTaskAction; filter: BulkTaskFilter; limit?: number };

/** One task's result: `ok` with its status after the action, or the error it alone got. */
export type BulkTaskResult = Schemas['BulkTaskResultDto'] &
  ({ ok: true; status: TaskStatus } | { ok: false; err: number; msg: string });

export type BulkTaskActionResult = Omit<Schemas['BulkTaskActionResponse'], 'results'> & {
  /** By ids: one per id, in the order given. By filter: newest task first. */
  results: BulkTaskResult[];
};

/** Which dead letters a redrive by filter selects; `since`/`until` are unix seconds of death. */
export type DeadLetterFilter = Schemas['DeadLetterFilterDto'];

/** By `message_ids` (1..1000; a write key) or by `filter` (an admin key), never both. */
export type RedriveDeadLettersRequest =
  { message_ids: string[] } | { filter: DeadLetterFilter; limit?: number };

export type RedriveItemResult = Schemas['RedriveResultDto'] &
  ({ ok: true; redriven_as: string; attempt: number } | { ok: false; err: number; msg: string });

export type RedriveDeadLettersResult = Omit<Schemas['RedriveDeadLettersResponse'], 'results'> & {
  /** By message ids: one per id, in the order given. By filter: oldest dead first. */
  results: RedriveItemResult[];
};
