import { type OpenAPIObject } from '@nestjs/swagger';
import { completeOpenApiDocument } from './openapi-document';

const errorOf = (codes: number[]) => ({
  description: 'route-specific',
  content: {
    'application/json': {
      schema: { type: 'object', properties: { err: { type: 'integer', enum: codes } } },
    },
  },
});

function document(): OpenAPIObject {
  return {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      '/v1/api/task': {
        post: {
          requestBody: {
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/CreateDto' } },
            },
          },
          responses: { '200': { description: 'ok' }, '400': errorOf([40003]) },
        },
      },
      '/health': {
        get: {
          responses: { '200': { description: 'ok' }, '503': { description: 'down report' } },
        },
      },
    },
    components: {
      schemas: {
        CreateDto: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            misfire: { type: 'string', enum: ['skip'] },
            retry: { $ref: '#/components/schemas/RetryDto' },
          },
        },
        RetryDto: { type: 'object', properties: { delay: { type: 'integer' } } },
        TaskResponse: {
          type: 'object',
          properties: { next_run_at: { type: 'number', nullable: true } },
        },
      },
    },
  };
}

describe('completeOpenApiDocument', () => {
  const doc = completeOpenApiDocument(document());
  const post = doc.paths['/v1/api/task']!.post!;
  type ErrorResponse = {
    content: Record<string, { schema: { properties: Record<string, { enum?: unknown[] }> } }>;
  };
  const errCodes = (status: string) =>
    (post.responses[status] as unknown as ErrorResponse).content['application/json']?.schema
      .properties['err']?.enum;

  it("merges the transport's error codes into the route's own, per status", () => {
    expect(errCodes('400')).toEqual([40001, 40002, 40003]);
    expect(errCodes('401')).toEqual([40101]);
    expect(errCodes('413')).toEqual([41301]);
    expect(errCodes('415')).toEqual([41501]);
    expect(errCodes('503')).toEqual([50301]);
  });

  it('requires an API key under /v1/api only, and keeps a non-error 503 as it is', () => {
    expect(post.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    const health = doc.paths['/health']!.get!;
    expect(health.security).toEqual([]);
    expect(health.responses['503']).toEqual({ description: 'down report' });
    expect(health.responses['401']).toBeUndefined();
  });

  it('closes request bodies (nested ones too) and lets their optional fields be null', () => {
    const schemas = doc.components!.schemas! as Record<string, Record<string, unknown>>;
    const create = schemas['CreateDto']!;
    expect(create['additionalProperties']).toBe(false);
    expect(schemas['RetryDto']!['additionalProperties']).toBe(false);
    const props = create['properties'] as Record<string, unknown>;
    expect(props['name']).toEqual({ type: 'string' });
    expect(props['misfire']).toEqual({ type: ['string', 'null'], enum: ['skip', null] });
    expect(props['retry']).toEqual({
      anyOf: [{ $ref: '#/components/schemas/RetryDto' }, { type: 'null' }],
    });
  });

  it('rewrites 3.0 nullable as a 3.1 null type and leaves response schemas open', () => {
    const task = doc.components!.schemas!['TaskResponse'] as Record<string, unknown>;
    expect(task['additionalProperties']).toBeUndefined();
    expect((task['properties'] as Record<string, unknown>)['next_run_at']).toEqual({
      type: ['number', 'null'],
    });
  });
});
