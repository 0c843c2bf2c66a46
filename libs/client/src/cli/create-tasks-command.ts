import { readFile } from 'node:fs/promises';
import { type CreateTasksResult } from '../http/task-center.types';
import { intOption } from './args';
import { type Command, type CommandResult } from './command-helpers';
import { formatTable } from './format';
import { parseTaskFile } from './task-file';

/** Up to this many tasks the text output has a line per task; above, the failed ones only. */
const LINE_PER_TASK = 100;
/** Failed tasks listed at most in text output (`--json` has every result). */
const FAILED_SHOWN = 50;

/** `tasks create-many FILE`: POST /v1/api/create-tasks, 1,000 tasks a request. */
export const CREATE_TASKS_COMMAND: Command = {
  words: ['tasks', 'create-many'],
  args: ['FILE'],
  summary: 'create the tasks of a JSON or NDJSON file (POST /v1/api/create-tasks)',
  options: [
    { name: 'chunk', value: 'N', help: 'tasks per request, 1..1000 (default 1000)' },
    { name: 'concurrency', value: 'N', help: 'requests at once, 1..16 (default 2)' },
  ],
  notes: [
    'FILE (- for stdin) holds a JSON array of task bodies as POST /v1/api/task takes them, or',
    'one per line (NDJSON). A bad task is reported with its line and does not stop the others;',
    'exit 1 if any failed. With a "key" per task, running the same file again creates only the',
    'tasks still missing. Progress goes to stderr when the file needs more than one request.',
  ],
  run: async ({ api, options, positionals, progress }) => {
    const command = 'tasks create-many';
    const file = positionals[0]!;
    const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
    const { tasks, where } = parseTaskFile(text, file === '-' ? 'stdin' : file);
    const chunkSize = intOption(options.chunk, 'chunk', command, 1, 1000) ?? 1000;
    const concurrency = intOption(options.concurrency, 'concurrency', command, 1, 16) ?? 2;
    const started = Date.now();
    const result = await api.createTasks(tasks, {
      chunkSize,
      concurrency,
      ...(tasks.length > chunkSize && {
        onProgress: (done: number, total: number) => progress(progressLine(done, total, started)),
      }),
    });
    return createdResults(result, where);
  },
};

export function progressLine(done: number, total: number, startedAt: number, now = Date.now()) {
  const rate = Math.round(done / Math.max(0.001, (now - startedAt) / 1000));
  return `tasks create-many: ${done} of ${total} answered (${Math.round((100 * done) / total)}%, ${rate} tasks/s)`;
}

/** The results as a table (a line per task, or the failed ones of a long file) and counts. */
export function createdResults(res: CreateTasksResult, where: string[]): CommandResult {
  return {
    data: res,
    text: () => {
      const row = (i: number) => {
        const r = res.results[i]!;
        return r.ok
          ? [where[i]!, r.taskid, r.created ? 'created' : 'existing', r.name]
          : [where[i]!, '', `error ${r.err}`, r.msg];
      };
      const indexes = res.results.map((_, i) => i);
      const failed = indexes.filter((i) => !res.results[i]!.ok);
      const everyTask = res.results.length <= LINE_PER_TASK;
      const shown = everyTask ? indexes : failed.slice(0, FAILED_SHOWN);
      const lines = [];
      if (shown.length > 0)
        lines.push(formatTable(['AT', 'TASK ID', 'RESULT', 'DETAIL'], shown.map(row)));
      if (!everyTask && failed.length > shown.length) {
        lines.push(
          `… and ${failed.length - shown.length} more failed (--json prints every result)`,
        );
      }
      lines.push(
        `created ${res.created}, existing ${res.existing}, failed ${res.failed} of ${res.results.length} tasks`,
      );
      return lines.join('\n');
    },
    ...(res.failed > 0 && { failure: `${res.failed} of ${res.results.length} tasks failed` }),
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
