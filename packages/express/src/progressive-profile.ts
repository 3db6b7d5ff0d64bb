import { createHash } from 'node:crypto';
import { activeProfilingStep, dueProfilingRules, type ProfilingRule, type ProfilingStep, type User } from '@gatehouse/core';
import type { GatehouseContext } from './context.js';

/** The hosted step's path under the prefix. */
export const PROFILE_STEP_PATH = '/profile/complete';

/**
 * A remembered skip is a logins_count, compared at later logins; the entry only has to outlive the
 * gap between two logins, and expires so users who never return leave nothing behind for good.
 */
const SKIP_TTL_MS = 180 * 24 * 60 * 60 * 1000;

/** The cache key of a user's skip of a rule (hashed: ids and user ids together may exceed the key column). */
function skipKey(rule: ProfilingRule, user: User): string {
  return createHash('sha256').update(`${rule.id}\n${user.user_id}`).digest('base64url');
}

/** The progressive-profiling step this user is due now, if any (remembered skips considered). */
export async function profilingStepFor(gh: GatehouseContext, user: User): Promise<ProfilingStep | null> {
  const rules = gh.options.progressiveProfiling;
  if (rules.length === 0) return null;
  const skips = gh.cache('profiling-skip');
  const skippedAt: Record<string, number> = {};
  // Only rules that could be asked now need their skip looked up (usually none or one).
  await Promise.all(dueProfilingRules(rules, user).filter((r) => r.skippable).map(async (rule) => {
    const at = await skips.get(skipKey(rule, user));
    if (at !== null && Number.isInteger(Number(at))) skippedAt[rule.id] = Number(at);
  }));
  return activeProfilingStep(rules, user, skippedAt);
}

/** Remembers that the user skipped the rule at their current login count. */
export async function rememberProfilingSkip(gh: GatehouseContext, rule: ProfilingRule, user: User): Promise<void> {
  const skips = gh.cache('profiling-skip');
  const key = skipKey(rule, user);
  // add() never overwrites: an older skip of the same rule makes way for this one.
  await skips.delete(key);
  await skips.add(key, String(user.logins_count), SKIP_TTL_MS);
}

/**
 * Where a login that just succeeded goes next: the hosted profiling step when a rule is due
 * (carrying the returnTo along), else the returnTo itself. `user` is the user as read before the
 * login was recorded, so this login is counted here. A failure to look up skips costs the user
 * the step, never the login.
 */
export async function afterLoginDestination(gh: GatehouseContext, user: User, returnTo: string): Promise<string> {
  if (gh.options.progressiveProfiling.length === 0) return returnTo;
  try {
    const step = await profilingStepFor(gh, { ...user, logins_count: user.logins_count + 1 });
    return step ? `${gh.options.prefix}${PROFILE_STEP_PATH}?returnTo=${encodeURIComponent(returnTo)}` : returnTo;
  } catch (err) {
    gh.options.logger.warn('[gatehouse] progressive profiling skipped after a login:', err);
    return returnTo;
  }
}
