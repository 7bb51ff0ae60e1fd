import { useState } from 'react';
import { Alert, App as AntApp, Form, Input, Modal, Radio } from 'antd';
import { api } from '../../shared/api.ts';
import { kgToTonnesInput, todayInChina, tonnesToKg } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert } from '../../shared/page.tsx';
import { labelOf } from './indicator-labels.tsx';
import { categories, type Batch, type CategoryTotal } from './indicator-types.ts';

interface TotalsFormValues {
  readonly name?: string;
  readonly kind?: Batch['kind'];
  readonly tonnes: Partial<Record<string, string>>;
}

interface BatchTotalsModalProps {
  readonly year: number;
  /** Null: a new batch; otherwise the draft whose totals are edited. */
  readonly batch: Batch | null;
  readonly open: boolean;
  readonly onClose: () => void;
  readonly onSaved: () => void;
}

/** Adds a batch, or replaces a draft's totals (with the version read, so a concurrent change is refused). */
export function BatchTotalsModal({ year, batch, open, onClose, onSaved }: BatchTotalsModalProps) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<TotalsFormValues>();
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const tonnesRule = {
    validator: async (_rule: unknown, value: string | undefined) => {
      if (value && value.trim() !== '' && tonnesToKg(value) === null) throw new Error(t('batch.tonnesRule'));
    },
  };

  const submit = async (values: TotalsFormValues) => {
    const totals: CategoryTotal[] = categories.flatMap((category) => {
      const text = values.tonnes[category]?.trim();
      const kg = text ? tonnesToKg(text) : null;
      return kg === null ? [] : [{ category, total_reo_kg: kg }];
    });
    if (totals.length === 0) {
      setError(new Error(t('batch.oneTotal')));
      return;
    }
    setSaving(true);
    setError(undefined);
    try {
      if (batch) {
        await api.put(`/indicator-batches/${batch.id}/totals`, { expected_version: batch.version, totals });
      } else {
        await api.post(`/indicator-plans/${year}/batches`, { name: values.name, kind: values.kind, totals });
      }
      void message.success(t('common.saved'));
      onSaved();
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  };

  const initialTonnes = Object.fromEntries(
    (batch?.totals ?? []).map((item) => [item.category, kgToTonnesInput(item.total_reo_kg)]),
  );
  return (
    <Modal
      open={open}
      title={batch ? `${t('batch.editTotals')} · ${batch.name}` : t('batch.add')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {batch ? <Alert type="warning" showIcon title={t('batch.editWarning')} style={{ marginBottom: 16 }} /> : null}
      <ProblemAlert error={error} />
      <Form<TotalsFormValues>
        form={form}
        layout="horizontal"
        labelCol={{ span: 10 }}
        onFinish={(values) => void submit(values)}
        initialValues={{ name: '', kind: 'regular', tonnes: initialTonnes }}
      >
        {batch ? null : (
          <>
            <Form.Item
              name="name"
              label={t('batch.name')}
              rules={[{ required: true, whitespace: true, message: t('common.required') }]}
            >
              <Input maxLength={50} placeholder="第一批" />
            </Form.Item>
            <Form.Item name="kind" label={t('batch.kind')}>
              <Radio.Group
                options={[
                  { value: 'regular', label: t('batchKind.regular') },
                  { value: 'reserve', label: t('batchKind.reserve') },
                ]}
              />
            </Form.Item>
          </>
        )}
        <Alert type="info" title={`${t('batch.totals')}：${t('batch.totalsHint')}`} style={{ marginBottom: 12 }} />
        {categories.map((category) => (
          <Form.Item
            key={category}
            name={['tonnes', category]}
            label={labelOf(t, 'category', category)}
            rules={[tonnesRule]}
          >
            <Input inputMode="decimal" suffix={t('unit.tonnesReo')} />
          </Form.Item>
        ))}
      </Form>
    </Modal>
  );
}

interface ApproveFormValues {
  readonly approval_document_no: string;
  readonly approval_date: string;
}

/** Records the State Council's approval; the server refuses it (403) from the batch's drafter. */
export function ApproveBatchModal({
  batch,
  onClose,
  onSaved,
}: {
  readonly batch: Batch | null;
  readonly onClose: () => void;
  readonly onSaved: () => void;
}) {
  const t = useTranslate();
  const [form] = Form.useForm<ApproveFormValues>();
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);

  const submit = async (values: ApproveFormValues) => {
    if (!batch) return;
    setSaving(true);
    setError(undefined);
    try {
      await api.post(`/indicator-batches/${batch.id}/approve`, {
        approval_document_no: values.approval_document_no,
        approval_date: values.approval_date,
      });
      onSaved();
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={batch !== null}
      title={`${t('batch.approve')} · ${batch?.name ?? ''}`}
      okText={t('batch.approve')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(undefined);
        onClose();
      }}
      destroyOnHidden
    >
      <ProblemAlert error={error} />
      <Form<ApproveFormValues>
        form={form}
        layout="vertical"
        initialValues={{ approval_date: todayInChina() }}
        onFinish={(values) => void submit(values)}
      >
        <Form.Item
          name="approval_document_no"
          label={t('batch.documentNo')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input maxLength={100} placeholder="国函〔2024〕12号" />
        </Form.Item>
        <Form.Item
          name="approval_date"
          label={t('batch.approvalDate')}
          rules={[{ required: true, message: t('common.required') }]}
        >
          <Input type="date" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
