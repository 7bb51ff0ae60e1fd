import { Alert, Flex } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useTranslate } from '../../shared/i18n.ts';
import { useApi } from '../../shared/use-api.ts';
import { formatBeijing } from '../flows/flow-format.ts';
import type { ReminderView } from './reporting-types.ts';

/** How many of the newest reminders are shown; older ones have been answered or repeated since. */
const SHOWN = 3;

/** 催报提醒: the reminders addressed to the signed-in user (their enterprise or their division), newest first. */
export function RemindersBanner() {
  const t = useTranslate();
  const reminders = useApi<ReminderView[]>('/reporting/reminders');
  const list = (reminders.data ?? []).slice(0, SHOWN);
  if (list.length === 0) return null;
  return (
    <Flex vertical gap={8} style={{ marginBottom: 16 }} data-testid="reminders">
      {list.map((reminder) => (
        <Alert
          key={reminder.id}
          type="warning"
          showIcon
          icon={<BellOutlined />}
          title={t('reminder.title', { period: reminder.period })}
          description={t('reminder.text', {
            period: reminder.period,
            by: reminder.sent_by,
            time: formatBeijing(reminder.sent_at),
          })}
        />
      ))}
    </Flex>
  );
}
