import { type AppConfig, configSchema, toAppConfig } from './app-config';

/** A setting is missing or malformed; `message` is one line that names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/**
 * Validates the environment into an {@link AppConfig}. Empty strings count as unset,
 * so `PORT=` falls back to the default instead of failing as "not a number".
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const input = Object.fromEntries(
    Object.keys(configSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? 'config');
    const got = env[key];
    const reason =
      got === undefined || got === '' ? 'is required' : `${issue?.message} (got "${got}")`;
    throw new ConfigError(`${key} ${reason}`);
  }
  return toAppConfig(parsed.data);
}
