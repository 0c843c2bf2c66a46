import { type INestApplication } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { type Application } from 'express';
import { type AppConfig } from './config';
import { dashboardFiles } from './dashboard/dashboard.middleware';
import { findDashboardDir } from './dashboard/dashboard-files';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { jsonBody } from './http/json-body';
import { methodNotAllowed } from './http/method-not-allowed';
import { createOpenApiDocument } from './http/openapi-document';
import { apiValidationPipe } from './http/validation.pipe';
import { securityHeaders } from './security/security-headers';

/**
 * Everything `main.ts` and the e2e suites both need on top of the module graph. The app
 * must be created with `bodyParser: false`: the JSON parser is set up here with our limit.
 */
export function setupApp(app: INestApplication, config: AppConfig): INestApplication {
  const http = app as NestExpressApplication;
  http.disable('x-powered-by');
  http.use(securityHeaders());
  // CORS is off unless origins are configured: browsers then get no CORS headers at all.
  const { corsOrigins } = config.security;
  if (corsOrigins.length > 0) {
    app.enableCors({
      origin: corsOrigins.includes('*') ? true : corsOrigins,
      allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'x-next-cursor'],
    });
  }
  // A method no route of the path declares: 405 (with helmet's and CORS's headers, before the
  // body is read and before the content-type rule); then the JSON body.
  if (config.dashboard.enabled) {
    http.use('/dashboard', dashboardFiles(findDashboardDir(config.dashboard.dir)));
  }
  http.use(methodNotAllowed(http.getHttpAdapter().getInstance() as Application));
  http.use(jsonBody(config.http.bodyLimitBytes));
  app.useGlobalPipes(apiValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
  });
  return app;
}
