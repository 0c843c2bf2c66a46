import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import {
  type OperationObject,
  type ResponseObject,
  type SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorCode, type ErrorCodeValue, statusOf } from '../errors/error-codes';
import { errorDescription, errorSchema } from './api-errors.decorator';

/** Paths that need an API key when `API_KEYS` is set; `/health*` and `/docs*` stay open. */
const SECURED = /^\/(v1\/api\/|metrics$)/;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The OpenAPI 3.1 document of the app: what the controllers and DTOs declare, completed with
 * what holds for every route (the API-key schemes, the errors of the transport layer) and
 * rewritten where @nestjs/swagger 11 still emits 3.0 idioms (`nullable`).
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Task Center')
    .setDescription(
      'Cron, interval and one-shot tasks, published to Kafka when due. Times are unix seconds ' +
        '(`*_ms`: epoch milliseconds). Every error is `{"err": <code>, "msg": <reason>}`; a ' +
        'method a path does not declare is 405 (40501) with `Allow`, an unknown path 404 (40402).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'One of API_KEYS.' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
    .build();
  return completeOpenApiDocument(SwaggerModule.createDocument(app, config));
}

/** Adds the route-independent parts to every operation and converts the schemas to 3.1. */
export function completeOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) completeOperation(path, method, operation);
    }
  }
  const converted = toOpenApi31(document);
  for (const name of requestBodySchemas(converted)) {
    const schema = converted.components?.schemas?.[name] as SchemaObject | undefined;
    if (schema) closeBodySchema(schema);
  }
  return converted;
}

/** The component schemas request bodies use, with the ones they use in turn. */
function requestBodySchemas(document: OpenAPIObject): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      const name = ref.slice('#/components/schemas/'.length);
      if (found.has(name)) return;
      found.add(name);
      visit(document.components?.schemas?.[name]);
    }
    Object.values(node).forEach(visit);
  };
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) visit(item[method]?.requestBody);
  }
  return found;
}

/**
 * What the validation pipe enforces on every body and no decorator states: an unknown field
 * is a 400 (`forbidNonWhitelisted`), and `null` in an optional field means "absent"
 * (class-validator's `IsOptional`).
 */
function closeBodySchema(schema: SchemaObject): void {
  if (schema.type !== 'object' || !schema.properties) return;
  schema.additionalProperties ??= false;
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties)) {
    if (!required.has(name)) schema.properties[name] = orNull(property as SchemaObject);
  }
}

function orNull(schema: SchemaObject): SchemaObject {
  const types = schema.type as unknown;
  if (typeof types === 'string' && !schema.allOf && !('$ref' in schema)) {
    const enumValues = schema.enum ? { enum: [...(schema.enum as unknown[]), null] } : {};
    return { ...schema, type: [types, 'null'] as unknown as string, ...enumValues };
  }
  if (Array.isArray(types)) {
    const list = types as unknown[];
    return list.includes('null')
      ? schema
      : { ...schema, type: [...list, 'null'] as unknown as string };
  }
  return { anyOf: [schema, { type: 'null' }] };
}

function completeOperation(path: string, method: string, operation: OperationObject): void {
  const codes: ErrorCodeValue[] = [];
  const hasBody = operation.requestBody !== undefined;
  if (SECURED.test(path)) {
    operation.security = [{ bearer: [] }, { apiKey: [] }];
    codes.push(ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN_SCOPE, ErrorCode.INTERNAL);
    if (method !== 'get' && method !== 'head') codes.push(ErrorCode.UNAVAILABLE);
  } else {
    operation.security = [];
  }
  if ((operation.parameters?.length ?? 0) > 0 || hasBody) codes.push(ErrorCode.INVALID_PARAM);
  if (hasBody) {
    codes.push(
      ErrorCode.MALFORMED_JSON,
      ErrorCode.BODY_TOO_LARGE,
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    );
  }
  for (const code of codes) addErrorCode(operation, code);
}

/** Adds `code` to the error response of its status, creating it or extending its codes. */
function addErrorCode(operation: OperationObject, code: ErrorCodeValue): void {
  const status = String(statusOf(code));
  const existing = operation.responses[status] as ResponseObject | undefined;
  const schema = existing?.content?.['application/json']?.schema as SchemaObject | undefined;
  const known = (schema?.properties?.err as SchemaObject | undefined)?.enum as
    ErrorCodeValue[] | undefined;
  if (existing && !known) return; // a non-error answer of that status (health's 503): kept
  const codes = [...(known ?? []), code];
  operation.responses[status] = {
    description: errorDescription(codes),
    content: { 'application/json': { schema: errorSchema(codes) } },
  };
}

/** `nullable: true` (3.0) becomes a `null` type (3.1), everywhere in the document. */
function toOpenApi31<T>(node: T): T {
  if (Array.isArray(node)) return node.map((n: unknown) => toOpenApi31(n)) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = toOpenApi31(value);
  if (out.nullable !== true) {
    delete out.nullable;
    return out as T;
  }
  delete out.nullable;
  if (typeof out.type === 'string' && !('allOf' in out) && !('$ref' in out)) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
    return out as T;
  }
  return { anyOf: [out, { type: 'null' }] } as T;
}
