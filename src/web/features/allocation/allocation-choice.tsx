import { Flex, Form, Radio, Select } from 'antd';
import { useTranslate } from '../../shared/i18n.ts';
import type { Group } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { allocatableStatuses, type Batch, type Category, type Plan } from '../indicators/indicator-types.ts';

export interface YearBatch extends Batch {
  readonly year: number;
}

/** What an allocation is about: a batch, one of its categories, and the level (national or within a group). */
export interface AllocationChoiceValue {
  readonly batchId: string | null;
  readonly category: Category | null;
  readonly level: 'national' | 'group';
  readonly groupId: string | null;
}

/** Approved (or later) batches of every year, newest first. */
export function useAllocatableBatches(): { batches: YearBatch[]; error: unknown; loading: boolean } {
  const plans = useApi<Plan[]>('/indicator-plans');
  const batches = (plans.data ?? [])
    .flatMap((plan) => plan.batches.map((batch) => ({ ...batch, year: plan.year })))
    .filter((batch) => allocatableStatuses.includes(batch.status))
    .sort((a, b) => b.year - a.year || b.seq - a.seq);
  return { batches, error: plans.error, loading: plans.loading };
}

/** The query string that carries a choice from page to page. */
export function choiceQuery(value: AllocationChoiceValue): string {
  const params = new URLSearchParams();
  if (value.batchId) params.set('batch_id', value.batchId);
  if (value.category) params.set('category', value.category);
  params.set('level', value.level);
  if (value.level === 'group' && value.groupId) params.set('group_id', value.groupId);
  return params.toString();
}

export function choiceFromQuery(params: URLSearchParams): AllocationChoiceValue {
  return {
    batchId: params.get('batch_id'),
    category: params.get('category') as Category | null,
    level: params.get('level') === 'group' ? 'group' : 'national',
    groupId: params.get('group_id'),
  };
}

/** Whether the choice names everything the input endpoint needs. */
export function choiceComplete(value: AllocationChoiceValue): boolean {
  return Boolean(value.batchId && value.category && (value.level === 'national' || value.groupId));
}

interface AllocationChoiceProps {
  readonly batches: readonly YearBatch[];
  readonly value: AllocationChoiceValue;
  readonly onChange: (value: AllocationChoiceValue) => void;
}

export function AllocationChoice({ batches, value, onChange }: AllocationChoiceProps) {
  const t = useTranslate();
  const groups = useApi<Group[]>(value.level === 'group' ? '/groups' : null);
  const batch = batches.find((item) => item.id === value.batchId);
  return (
    <Form layout="vertical">
      <Flex gap={24} wrap>
        <Form.Item label={t('allocation.batch')} style={{ minWidth: 260 }}>
          <Select
            id="allocation-batch"
            value={value.batchId}
            onChange={(batchId: string) => onChange({ ...value, batchId, category: null })}
            options={batches.map((item) => ({
              value: item.id,
              label: `${t('plans.yearValue', { year: item.year })} ${item.name}（${t(`batchStatus.${item.status}`)}）`,
            }))}
          />
        </Form.Item>
        <Form.Item label={t('allocation.category')}>
          <Radio.Group
            optionType="button"
            value={value.category}
            onChange={(event) => onChange({ ...value, category: event.target.value as Category })}
            options={(batch?.totals ?? []).map((item) => ({
              value: item.category,
              label: labelOf(t, 'category', item.category),
            }))}
          />
        </Form.Item>
        <Form.Item label={t('allocation.level')}>
          <Radio.Group
            optionType="button"
            value={value.level}
            onChange={(event) => onChange({ ...value, level: event.target.value as 'national' | 'group' })}
            options={[
              { value: 'national', label: t('level.national') },
              { value: 'group', label: t('level.group') },
            ]}
          />
        </Form.Item>
        {value.level === 'group' ? (
          <Form.Item label={t('allocation.group')} style={{ minWidth: 220 }}>
            <Select
              id="allocation-group"
              value={value.groupId}
              onChange={(groupId: string) => onChange({ ...value, groupId })}
              options={(groups.data ?? []).map((group) => ({ value: group.id, label: group.name }))}
            />
          </Form.Item>
        ) : null}
      </Flex>
    </Form>
  );
}
