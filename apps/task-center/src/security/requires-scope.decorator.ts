import { SetMetadata } from '@nestjs/common';
import { type ApiKeyScope } from './api-key-scope';

export const REQUIRED_SCOPE_METADATA = 'task-center:required-scope';

/**
 * The scope an API key needs for a route (or every route of a controller), instead of the
 * default by method (GET/HEAD read, others write). Mark bulk or fleet-wide operations
 * `@RequiresScope('admin')`; a POST that only reads may be marked `read`.
 */
export const RequiresScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE_METADATA, scope);
