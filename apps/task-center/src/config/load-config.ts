import { readFileSync } from 'node:fs';
import { type AppConfig, configSchema, crossFieldProblem, toAppConfig } from './app-config';
import { maskValue } from './mask-config';

/** A setting is missing or malformed; `message` is one line that names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/**
 * `CONFIG_FILE`: a JSON object of the same settings by their variable names (values as
 * strings, numbers, booleans or arrays for lists). Environment variables override it.
 */
function readConfigFile(path: string): Env {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(
      `CONFIG_FILE cannot be read as JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`CONFIG_FILE must hold a JSON object (got ${path})`);
  }
  const out: Env = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(key in configSchema.shape)) {
      throw new ConfigError(`CONFIG_FILE has an unknown setting ${key}`);
    }
    if (value === null || value === undefined) continue;
    out[key] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return out;
}

/**
 * Validates the environment (over `CONFIG_FILE`, if set) into an {@link AppConfig}. Empty
 * strings count as unset, so `PORT=` falls back to the default instead of failing as "not a
 * number". Secrets are masked in the error line.
 */
export function loadConfig(env: Env = process.env, { database = true } = {}): AppConfig {
  const file = env.CONFIG_FILE ? readConfigFile(env.CONFIG_FILE) : {};
  const valueOf = (key: string) =>
    env[key] === undefined || env[key] === '' ? file[key] : env[key];
  const input = Object.fromEntries(
    Object.keys(configSchema.shape).map((key) => {
      const value = valueOf(key);
      return [key, value === '' ? undefined : value];
    }),
  );
  // A process without a database (the HTTP delivery worker on its own) need not name one.
  const schema = database ? configSchema : configSchema.partial({ MONGODB_URI: true });
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? 'config');
    const got = valueOf(key);
    const reason =
      got === undefined || got === ''
        ? 'is required'
        : `${issue?.message} (got "${maskValue(key, got)}")`;
    throw new ConfigError(`${key} ${reason}`);
  }
  const raw = { ...parsed.data, MONGODB_URI: parsed.data.MONGODB_URI ?? '' };
  const problem = crossFieldProblem(raw);
  if (problem) throw new ConfigError(`${problem.key} ${problem.message}`);
  return toAppConfig(raw);
}
