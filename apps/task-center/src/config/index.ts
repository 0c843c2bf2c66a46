export { type AppConfig } from './app-config';
export { APP_CONFIG, ConfigModule } from './config.module';
export { ConfigError, loadConfig } from './load-config';
export { maskedConfig } from './mask-config';
