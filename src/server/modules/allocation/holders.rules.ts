import type { PenaltyDecision } from '../../../contracts/allocation.ts';
import type { CategoryCode, LicenceRecord } from '../../db/schema.ts';
import type { EnterpriseFacts } from '../registry/index.ts';
import { ineligibleReasons, type Category, type Holder } from './allocation.rules.ts';

export interface NamedHolder extends Holder {
  readonly name: string;
  readonly kind: 'group' | 'enterprise';
  /** For a group: its member enterprises' holders. */
  readonly members?: readonly NamedHolder[];
  /** For an enterprise: the prior year's final penalties (Art. 14) its reduction rests on. */
  readonly penalty_decisions?: readonly PenaltyDecision[];
}

export function engineCategory(category: CategoryCode): Category {
  return category.startsWith('separation') ? 'separation' : (category as Category);
}

function licenceValid(licences: readonly LicenceRecord[], kind: LicenceRecord['kind'], onDate: string): boolean {
  return licences.some(
    (licence) => licence.kind === kind && licence.valid_from <= onDate && onDate <= licence.valid_to,
  );
}

export const enterpriseHolderId = (id: string) => `enterprise:${id}`;
export const groupHolderId = (id: string) => `group:${id}`;

/**
 * An enterprise as a holder of one category, its eligibility judged on a date (the batch's approval), with the
 * prior year's final administrative penalties (Art. 14): a count, or the decisions themselves.
 */
export function enterpriseHolder(
  facts: EnterpriseFacts,
  category: CategoryCode,
  onDate: string,
  penalties: number | readonly PenaltyDecision[] = 0,
): NamedHolder {
  const decisions = typeof penalties === 'number' ? [] : penalties;
  const mining = !category.startsWith('separation');
  return {
    id: enterpriseHolderId(facts.id),
    name: facts.name,
    kind: 'enterprise',
    cap_reo_kg: mining ? facts.mining_capacity_reo_kg : facts.separation_capacity_reo_kg,
    technical_score: facts.technical_score,
    environment_score: facts.environment_score,
    safety_score: facts.safety_score,
    facts: {
      designated: facts.designated_scopes.includes(mining ? 'mining' : 'separation'),
      mining_licence_valid: licenceValid(facts.licences, 'mining', onDate),
      safety_licence_valid: licenceValid(facts.licences, 'safety', onDate),
      discharge_permit_ok: licenceValid(facts.licences, 'discharge', onDate),
      // Operating status is not in the register yet; a what-if run can set it.
      idle: false,
    },
    prior_year_penalties: typeof penalties === 'number' ? penalties : penalties.length,
    ...(decisions.length > 0 ? { penalty_decisions: decisions } : {}),
  };
}

/**
 * A group as one national holder: its cap is what its eligible members can take, its scores their
 * capacity-weighted averages. Its members' own eligibility, caps and penalties apply again when the group
 * sub-allocates.
 */
export function groupHolder(
  groupId: string,
  name: string,
  members: readonly NamedHolder[],
  category: Category,
): NamedHolder {
  const eligible = members.filter((member) => ineligibleReasons(category, member).length === 0);
  const cap = eligible.reduce((sum, member) => sum + member.cap_reo_kg, 0);
  const weighted = (score: 'technical_score' | 'environment_score' | 'safety_score') =>
    cap === 0 ? 0 : Math.floor(eligible.reduce((sum, member) => sum + member[score] * member.cap_reo_kg, 0) / cap);
  return {
    id: groupHolderId(groupId),
    name,
    kind: 'group',
    cap_reo_kg: cap,
    technical_score: weighted('technical_score'),
    environment_score: weighted('environment_score'),
    safety_score: weighted('safety_score'),
    facts: {
      designated: eligible.length > 0,
      mining_licence_valid: true,
      safety_licence_valid: true,
      discharge_permit_ok: true,
      idle: false,
    },
    prior_year_penalties: 0,
    members,
  };
}

/** The national holders of a category: each group (its members folded in) and each enterprise in no group. */
export function nationalHolders(
  facts: readonly EnterpriseFacts[],
  groups: ReadonlyMap<string, string>,
  category: CategoryCode,
  onDate: string,
  penalties: ReadonlyMap<string, readonly PenaltyDecision[]> = new Map(),
): NamedHolder[] {
  const engine = engineCategory(category);
  const relevant = facts.filter(
    (item) => item.kind === 'both' || item.kind === (engine === 'separation' ? 'separation' : 'mining'),
  );
  const byGroup = new Map<string, NamedHolder[]>();
  const loose: NamedHolder[] = [];
  for (const item of relevant) {
    const holder = enterpriseHolder(item, category, onDate, penalties.get(item.id) ?? 0);
    if (item.group_id) byGroup.set(item.group_id, [...(byGroup.get(item.group_id) ?? []), holder]);
    else loose.push(holder);
  }
  const groupHolders = [...byGroup.entries()].map(([groupId, members]) =>
    groupHolder(groupId, groups.get(groupId) ?? groupId, members, engine),
  );
  return [...groupHolders, ...loose];
}
