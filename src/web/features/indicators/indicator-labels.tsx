import { Tag } from 'antd';
import { messages } from '../../shared/messages.ts';
import { useTranslate, type MessageKey, type Translate } from '../../shared/i18n.ts';
import type { BatchStatus, RunStatus } from './indicator-types.ts';

/** The dictionary text for `prefix.value`, or the value itself when the API sends something new. */
export function labelOf(t: Translate, prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return key in messages ? t(key as MessageKey) : value;
}

const batchColours: Record<BatchStatus, string> = {
  draft: 'default',
  cosigned: 'blue',
  submitted: 'purple',
  approved: 'cyan',
  allocated: 'orange',
  issued: 'green',
};

export function BatchStatusTag({ status }: { readonly status: BatchStatus }) {
  const t = useTranslate();
  return (
    <Tag color={batchColours[status]} data-testid="batch-status">
      {t(`batchStatus.${status}`)}
    </Tag>
  );
}

const runColours: Record<RunStatus, string> = {
  proposed: 'gold',
  approved: 'cyan',
  issued: 'green',
  withdrawn: 'default',
};

export function RunStatusTag({ status }: { readonly status: RunStatus }) {
  const t = useTranslate();
  return (
    <Tag color={runColours[status]} data-testid="run-status">
      {t(`runStatus.${status}`)}
    </Tag>
  );
}
