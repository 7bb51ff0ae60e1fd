import { useState } from 'react';
import {
  App as AntApp,
  Button,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  Select,
  Table,
  Timeline,
  Typography,
} from 'antd';
import { Link } from 'react-router-dom';
import { api } from '../../shared/api.ts';
import { formatDateTime } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert, showFieldErrors } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { formatBeijing, formatKg } from '../flows/flow-format.ts';
import { AnomalyStatusTag } from '../flows/flow-labels.tsx';
import { anomalyNextStatuses, type AnomalyDetail, type AnomalyStatus, type AnomalyView } from '../flows/flow-types.ts';

/** A detail value as people read it: kg with separators, lists joined, objects as compact JSON. */
function detailText(name: string, value: unknown): string {
  if (typeof value === 'number') {
    if (/(_kg|_reo|_mass)$/.test(name)) return `${formatKg(value)} kg`;
    return /_ppm$/.test(name) ? `${formatKg(value)} ppm` : formatKg(value);
  }
  if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}T/.test(value) ? formatBeijing(value) : value;
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object')) return value.join(', ');
  return JSON.stringify(value);
}

interface TransitionValues {
  status: AnomalyStatus;
  note: string;
}

function TransitionForm({ anomaly, onChanged }: { readonly anomaly: AnomalyView; readonly onChanged: () => void }) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<TransitionValues>();
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);

  const submit = async (values: TransitionValues) => {
    setSaving(true);
    setError(undefined);
    try {
      await api.post(`/anomalies/${anomaly.id}/transitions`, {
        expected_version: anomaly.version,
        status: values.status,
        note: values.note.trim(),
      });
      void message.success(t('anomalies.changed'));
      form.resetFields();
      onChanged();
    } catch (failure) {
      setError(failure);
      showFieldErrors(form, failure);
    } finally {
      setSaving(false);
    }
  };

  const required = { required: true, message: t('common.required') };
  return (
    <>
      <ProblemAlert error={error} />
      <Form<TransitionValues> form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="status" label={t('anomalies.newStatus')} rules={[required]}>
          <Select
            id="anomaly-status"
            options={anomalyNextStatuses[anomaly.status].map((status) => ({
              value: status,
              label: t(`anomalyStatus.${status}`),
            }))}
          />
        </Form.Item>
        <Form.Item
          name="note"
          label={t('anomalies.note')}
          rules={[required, { whitespace: true, message: t('common.required') }, { max: 4000 }]}
        >
          <Input.TextArea id="anomaly-note" rows={3} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={saving}>
          {t('anomalies.change')}
        </Button>
      </Form>
    </>
  );
}

interface AnomalyDrawerProps {
  readonly id: string | null;
  readonly onClose: () => void;
  readonly onChanged: () => void;
}

/** One anomaly: what the check found, the evidence events, the history, and (officials) a status change. */
export function AnomalyDrawer({ id, onClose, onChanged }: AnomalyDrawerProps) {
  const t = useTranslate();
  const language = useLanguage();
  const { can, user } = useSession();
  // Supervising officials plan an inspection straight from an anomaly (the plan form opens with it ticked).
  const writesSupervision = can('supervision.write') && !user?.enterprise_id;
  const detail = useApi<AnomalyDetail>(id ? `/anomalies/${encodeURIComponent(id)}` : null);
  const anomaly = detail.data && detail.data.id === id ? detail.data : null;

  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      size={760}
      title={anomaly ? labelOf(t, 'anomalyRule', anomaly.rule) : ''}
      extra={
        anomaly && writesSupervision && (anomaly.status === 'open' || anomaly.status === 'confirmed') ? (
          <Link
            data-testid="anomaly-plan-inspection"
            to={`/supervision/inspections?${new URLSearchParams({
              plan: '1',
              enterprise_id: anomaly.enterprise_id,
              enterprise_name: anomaly.enterprise_name,
              anomaly_id: anomaly.id,
            }).toString()}`}
          >
            {t('inspections.plan')}
          </Link>
        ) : null
      }
    >
      <ProblemAlert error={detail.error} />
      {anomaly ? (
        <>
          <Descriptions
            size="small"
            bordered
            column={2}
            items={[
              { key: 'enterprise', label: t('anomalies.enterprise'), span: 2, children: anomaly.enterprise_name },
              { key: 'period', label: t('anomalies.month'), children: anomaly.period },
              { key: 'product', label: t('anomalies.product'), children: anomaly.product ?? '—' },
              { key: 'status', label: t('anomalies.status'), children: <AnomalyStatusTag status={anomaly.status} /> },
              { key: 'version', label: t('anomalies.version'), children: anomaly.version },
              {
                key: 'detected',
                label: t('anomalies.detectedAt'),
                span: 2,
                children: formatDateTime(anomaly.detected_at, language),
              },
              { key: 'summary', label: t('anomalies.summary'), span: 2, children: anomaly.summary },
            ]}
          />
          {Object.keys(anomaly.details).length > 0 ? (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                {t('anomalies.details')}
              </Typography.Title>
              <Descriptions
                size="small"
                bordered
                column={2}
                items={Object.entries(anomaly.details).map(([name, value]) => ({
                  key: name,
                  label: <code>{name}</code>,
                  children: <span className="numeric">{detailText(name, value)}</span>,
                }))}
              />
            </>
          ) : null}
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('anomalies.evidence')}
          </Typography.Title>
          <Table
            size="small"
            pagination={false}
            rowKey={(item) => `${item.enterprise_id}|${item.event_id}`}
            dataSource={anomaly.evidence}
            locale={{ emptyText: t('common.noData') }}
            columns={[
              {
                title: t('anomalies.enterprise'),
                dataIndex: 'enterprise_id',
                render: (enterpriseId: string) =>
                  enterpriseId === anomaly.enterprise_id ? anomaly.enterprise_name : <code>{enterpriseId}</code>,
              },
              { title: t('flow.eventId'), dataIndex: 'event_id', render: (eventId: string) => <code>{eventId}</code> },
              {
                title: t('common.actions'),
                key: 'flows',
                render: (_value, item) => (
                  <Link to={`/flows?enterprise_id=${item.enterprise_id}&period=${anomaly.period}`}>
                    {t('nav.flows')}
                  </Link>
                ),
              },
            ]}
          />
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('anomalies.history')}
          </Typography.Title>
          {detail.data && detail.data.transitions.length > 0 ? (
            <Timeline
              items={detail.data.transitions.map((transition, index) => ({
                key: index,
                content: (
                  <>
                    <div>
                      <AnomalyStatusTag status={transition.from_status} />→{' '}
                      <AnomalyStatusTag status={transition.to_status} />
                      <Typography.Text type="secondary">
                        {transition.actor} · {formatDateTime(transition.created_at, language)}
                      </Typography.Text>
                    </div>
                    <div>{transition.note}</div>
                  </>
                ),
              }))}
            />
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('anomalies.noHistory')} />
          )}
          {can('anomaly.write') ? (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                {t('anomalies.change')}
              </Typography.Title>
              <TransitionForm
                key={`${anomaly.id}:${anomaly.version}`}
                anomaly={anomaly}
                onChanged={() => {
                  detail.reload();
                  onChanged();
                }}
              />
            </>
          ) : null}
        </>
      ) : null}
    </Drawer>
  );
}
