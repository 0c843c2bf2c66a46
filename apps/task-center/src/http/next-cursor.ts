import { type HeadersObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** The response header of the lists paged by header (`@ApiOkResponse({ headers })`). */
export const NEXT_CURSOR_HEADER: HeadersObject = {
  'X-Next-Cursor': {
    description: 'Present when there is a next page: pass it back as `cursor`.',
    required: false,
    schema: { type: 'string' },
  },
};
