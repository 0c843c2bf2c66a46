import { parseTargetPolicy, type TargetPolicy } from './address-policy';

/** The SSRF policy of the settings (validated when the configuration was loaded). */
export function targetPolicyOf(settings: { allow: string[]; httpsOnly: boolean }): TargetPolicy {
  const policy = parseTargetPolicy(settings.allow, settings.httpsOnly);
  if ('problem' in policy) throw new Error(policy.problem);
  return policy;
}
