import { type CreateTaskRequest } from '../http/task-center.types';
import { CliFailure } from './command-helpers';

/** Tasks read from a file, with where each one is (`line 7`, `item 3`) for error lines. */
export interface TaskFile {
  tasks: CreateTaskRequest[];
  where: string[];
}

/**
 * A JSON array of task bodies (or `{"tasks": [...]}`, the API's own body), or NDJSON: one
 * task body per line, blank lines skipped. Items are sent as they are: the server checks them.
 */
export function parseTaskFile(text: string, file: string): TaskFile {
  const whole = parseJson(text);
  if (whole.ok) {
    const value = whole.value;
    const items = Array.isArray(value)
      ? (value as unknown[])
      : isObject(value) && Array.isArray(value.tasks)
        ? (value.tasks as unknown[])
        : [value];
    return checked(
      items,
      items.map((_, i) => `item ${i + 1}`),
      file,
    );
  }
  const items: unknown[] = [];
  const where: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = parseJson(line);
    if (!parsed.ok) throw new CliFailure(`${file} line ${i + 1}: not JSON (${parsed.error})`);
    items.push(parsed.value);
    where.push(`line ${i + 1}`);
  });
  return checked(items, where, file);
}

function checked(items: unknown[], where: string[], file: string): TaskFile {
  if (items.length === 0) throw new CliFailure(`${file}: no tasks in it`);
  items.forEach((item, i) => {
    if (!isObject(item)) throw new CliFailure(`${file} ${where[i]}: a task must be a JSON object`);
  });
  return { tasks: items as CreateTaskRequest[], where };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
