import { type AppConfig } from './app-config';

const MASK = '***';

/** A URL with its password (and query, which may carry tokens) replaced by `***`. */
export function maskUrl(value: string): string {
  try {
    const url = new URL(value);
    if (!url.password && !url.search) return value;
    if (url.password) url.password = MASK;
    for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, MASK);
    return url.toString();
  } catch {
    // Not a URL: hide anything between "://" and "@", the usual userinfo spot.
    return value.replace(/(:\/\/[^:/@]*:)[^@]*@/, `$1${MASK}@`);
  }
}

/** How a raw setting may be shown in an error line. */
export function maskValue(key: string, value: string): string {
  if (key === 'API_KEYS' || key === 'HTTP_TARGET_SIGNING_SECRETS') return MASK;
  if (key === 'MONGODB_URI' || key === 'ALERT_WEBHOOK_URL') return maskUrl(value);
  return value;
}

/** The effective configuration with every secret masked: safe to log. */
export function maskedConfig(config: AppConfig): unknown {
  return {
    ...config,
    mongo: { ...config.mongo, uri: maskUrl(config.mongo.uri) },
    security: {
      ...config.security,
      apiKeys: config.security.apiKeys.map(() => MASK),
    },
    httpTargets: {
      ...config.httpTargets,
      signingSecrets: config.httpTargets.signingSecrets.map(() => MASK),
    },
    alerts: {
      ...config.alerts,
      ...(config.alerts.webhookUrl !== undefined && {
        webhookUrl: maskUrl(config.alerts.webhookUrl),
      }),
    },
  };
}
