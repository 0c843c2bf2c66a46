import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Everything `main.ts` and the e2e suites both need on top of the module graph. */
export function setupApp(app: INestApplication): INestApplication {
  const openApi = new DocumentBuilder()
    .setTitle('Task Center')
    .setDescription('Cron, interval and one-shot tasks, published to Kafka when due.')
    .setVersion('1')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'docs-json',
  });
  return app;
}
