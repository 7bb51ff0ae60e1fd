import { useState } from 'react';
import { App as AntApp, Button, Card, Form, InputNumber, Modal, Select, Table, Tag, Typography } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { api } from '../../shared/api.ts';
import { useLanguage, useTranslate, type Translate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert, showFieldErrors } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { formatDateTime } from '../../shared/format.ts';
import { deadlineLevelList, type DeadlineRule, type DeadlineRuleView } from './reporting-types.ts';

const kinds = ['month', 'year'] as const;

/** "次月 10 日", "期末后第 2 个月第 10 个工作日": a rule as people say it. */
export function ruleText(t: Translate, rule: Pick<DeadlineRule, 'month_offset' | 'day' | 'unit'>): string {
  const values = { offset: rule.month_offset, day: rule.day };
  return rule.month_offset === 1
    ? t(`deadline.rule.${rule.unit}.next`, values)
    : t(`deadline.rule.${rule.unit}`, values);
}

interface Row {
  readonly key: string;
  readonly level: DeadlineRule['level'];
  readonly period_kind: DeadlineRule['period_kind'];
  readonly rule: DeadlineRuleView | undefined;
}

function EditModal({ row, onClose, onSaved }: { row: Row; onClose: () => void; onSaved: () => void }) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Pick<DeadlineRule, 'month_offset' | 'day' | 'unit'>>();
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const save = async (values: Pick<DeadlineRule, 'month_offset' | 'day' | 'unit'>) => {
    setSaving(true);
    setError(undefined);
    try {
      await api.put('/reporting/deadlines', { level: row.level, period_kind: row.period_kind, ...values });
      void message.success(t('common.saved'));
      onSaved();
    } catch (failure) {
      setError(failure);
      showFieldErrors(form, failure);
    } finally {
      setSaving(false);
    }
  };
  const required = { required: true, message: t('common.required') };
  return (
    <Modal
      open
      title={t('deadline.edit', { level: t(`reportLevel.${row.level}`), kind: t(`periodKind.${row.period_kind}`) })}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <ProblemAlert error={error} />
      <Form
        form={form}
        layout="vertical"
        onFinish={(values) => void save(values)}
        initialValues={row.rule ?? { month_offset: 1, day: 25, unit: 'calendar_day' }}
      >
        <Form.Item
          name="month_offset"
          label={t('deadline.monthOffset')}
          extra={t('deadline.monthOffsetHint')}
          rules={[required]}
        >
          <InputNumber min={1} max={3} precision={0} />
        </Form.Item>
        <Form.Item name="unit" label={t('deadline.unit')} rules={[required]}>
          <Select
            options={(['calendar_day', 'working_day'] as const).map((unit) => ({
              value: unit,
              label: t(`deadline.unit.${unit}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="day" label={t('deadline.day')} extra={t('deadline.dayHint')} rules={[required]}>
          <InputNumber min={1} max={31} precision={0} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 报送期限: the deadline calendar in force per level and period kind; MIIT sets it, everyone else reads it. */
export function DeadlinesPage() {
  const t = useTranslate();
  const language = useLanguage();
  const { can } = useSession();
  const rules = useApi<DeadlineRuleView[]>('/reporting/deadlines');
  const [editing, setEditing] = useState<Row | null>(null);
  const editable = can('reporting.configure');
  const rows: Row[] = deadlineLevelList.flatMap((level) =>
    kinds.map((kind) => ({
      key: `${level}:${kind}`,
      level,
      period_kind: kind,
      rule: rules.data?.find((rule) => rule.level === level && rule.period_kind === kind),
    })),
  );

  return (
    <>
      <PageHeader title={t('deadline.title')} subtitle={t('deadline.subtitle')} />
      <ProblemAlert error={rules.error} />
      <Card>
        {!editable ? <Typography.Paragraph type="secondary">{t('deadline.readOnly')}</Typography.Paragraph> : null}
        <Table<Row>
          rowKey="key"
          size="middle"
          data-testid="deadline-rules"
          loading={rules.loading}
          dataSource={rows}
          pagination={false}
          columns={[
            {
              title: t('deadline.level'),
              dataIndex: 'level',
              render: (level: Row['level']) => t(`reportLevel.${level}`),
            },
            {
              title: t('deadline.kind'),
              dataIndex: 'period_kind',
              render: (kind: Row['period_kind']) => <Tag>{t(`periodKind.${kind}`)}</Tag>,
            },
            {
              title: t('deadline.rule'),
              key: 'rule',
              render: (_value, row) =>
                row.rule ? (
                  <strong>{ruleText(t, row.rule)}</strong>
                ) : (
                  <Typography.Text type="secondary">{t('deadline.default')}</Typography.Text>
                ),
            },
            {
              title: t('deadline.setBy'),
              key: 'set',
              render: (_value, row) =>
                !row.rule || row.rule.set_by === 'default'
                  ? t('deadline.builtIn')
                  : `${row.rule.set_by} · ${formatDateTime(row.rule.set_at, language)}`,
            },
            ...(editable
              ? [
                  {
                    title: t('common.actions'),
                    key: 'actions',
                    render: (_value: unknown, row: Row) => (
                      <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(row)}>
                        {t('common.edit')}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {editing ? (
        <EditModal
          row={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            rules.reload();
          }}
        />
      ) : null}
    </>
  );
}
