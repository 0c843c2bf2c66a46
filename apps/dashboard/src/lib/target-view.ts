import { type Task } from '@task-center/client/types';
import { shownHeaderValue } from '@task-center/contracts';

// What the pages show of a task's HTTP target, in words. Header values that are credentials
// (authorization, tokens, keys) are masked: the page is often on a shared screen.

export type HttpTargetView = NonNullable<Task['target']>;

/** `POST https://hooks.example.com/report`. */
export function requestLineOf(target: HttpTargetView): string {
  return `${target.method} ${target.url}`;
}

/** `[name, value]` pairs, credentials as `••••`, in the stored order. */
export function shownHeadersOf(target: HttpTargetView): [string, string][] {
  return Object.entries(target.headers).map(([name, value]) => [
    name,
    shownHeaderValue(name, value),
  ]);
}
