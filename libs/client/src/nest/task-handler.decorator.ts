import { SetMetadata } from '@nestjs/common';
import { parseTagPattern } from '../worker/tag-router';

export const TASK_HANDLER_METADATA = 'task-center:task-handler';

/**
 * Marks a provider method as the handler of a tag (`'billing'`), several (`'a||b'` or
 * `'a || b'`) or every tag without a handler of its own in this application (`'*'`). Called as
 * `(taskId, data, msgId, ctx)`, like a TaskWorker handler; found and registered when the
 * application boots.
 */
export function TaskHandler(tag: string): MethodDecorator {
  parseTagPattern(tag); // a malformed pattern fails where it is written
  return SetMetadata(TASK_HANDLER_METADATA, tag);
}
