import { useState } from 'react';
import {
  App as AntApp,
  Button,
  Col,
  Collapse,
  Divider,
  Drawer,
  Flex,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Typography,
} from 'antd';
import type { FormInstance } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { api, ApiError } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert, showFieldErrors } from '../../shared/page.tsx';
import { eventOf, formFieldOf, type EventFormValues } from './flow-event-body.ts';
import { newEventId, nowForInput } from './flow-format.ts';
import { CREDIT_CODE_PATTERN, LineFields, type LineValues } from './flow-line-fields.tsx';
import { flowKindList, type SubmissionResult } from './flow-types.ts';
import { useProducts } from './use-products.ts';

type ProductOptions = readonly { value: string; label: string }[];

function freshValues(): Partial<EventFormValues> {
  return { event_id: newEventId(), kind: 'produce', event_time: nowForInput(), inputs: [{}], outputs: [{}], edges: [] };
}

/** A list of batch lines (a transform's inputs or outputs), each removable, at least one. */
function LineList({ name, title, products }: { name: 'inputs' | 'outputs'; title: string; products: ProductOptions }) {
  const t = useTranslate();
  return (
    <Form.List name={name}>
      {(fields, { add, remove }, { errors }) => (
        <div data-testid={`lines-${name}`}>
          <Divider titlePlacement="start" plain>
            {title}
          </Divider>
          {fields.map((field) => (
            <LineFields
              key={field.key}
              prefix={[field.name]}
              productOptions={products}
              compact
              onRemove={fields.length > 1 ? () => remove(field.name) : undefined}
            />
          ))}
          <Form.ErrorList errors={errors} />
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})}>
            {t('flow.addLine')}
          </Button>
        </div>
      )}
    </Form.List>
  );
}

/** The REO of each input → output edge; batch choices come from the lines typed above. */
function EdgeList({ form }: { form: FormInstance<EventFormValues> }) {
  const t = useTranslate();
  const inputs = Form.useWatch<LineValues[] | undefined>('inputs', form) ?? [];
  const outputs = Form.useWatch<LineValues[] | undefined>('outputs', form) ?? [];
  const choices = (lines: LineValues[]) =>
    [...new Set(lines.map((line) => line.batch?.trim()).filter((batch): batch is string => Boolean(batch)))].map(
      (batch) => ({ value: batch, label: batch }),
    );
  return (
    <Form.List name="edges">
      {(fields, { add, remove }, { errors }) => (
        <div data-testid="lines-edges">
          <Divider titlePlacement="start" plain>
            {t('flow.edges')}
          </Divider>
          <Typography.Paragraph type="secondary">{t('flow.edgesHint')}</Typography.Paragraph>
          {fields.map((field) => (
            <Row gutter={12} key={field.key}>
              <Col xs={24} md={9}>
                <Form.Item
                  name={[field.name, 'from_batch']}
                  label={t('flow.fromBatch')}
                  rules={[{ required: true, message: t('common.required') }]}
                >
                  <Select options={choices(inputs)} />
                </Form.Item>
              </Col>
              <Col xs={24} md={9}>
                <Form.Item
                  name={[field.name, 'to_batch']}
                  label={t('flow.toBatch')}
                  rules={[{ required: true, message: t('common.required') }]}
                >
                  <Select options={choices(outputs)} />
                </Form.Item>
              </Col>
              <Col xs={20} md={5}>
                <Form.Item
                  name={[field.name, 'reo_kg']}
                  label={t('flow.reo')}
                  rules={[{ required: true, message: t('common.required') }]}
                >
                  <InputNumber min={1} precision={0} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col xs={4} md={1} style={{ paddingTop: 30 }}>
                <Button icon={<DeleteOutlined />} aria-label={t('common.remove')} onClick={() => remove(field.name)} />
              </Col>
            </Row>
          ))}
          <Form.ErrorList errors={errors} />
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})}>
            {t('flow.addLine')}
          </Button>
        </div>
      )}
    </Form.List>
  );
}

/** Counterparty, documents and reason: which of them a kind needs. */
function KindFields({ kind }: { kind: EventFormValues['kind'] }) {
  const t = useTranslate();
  const required = { required: true, message: t('common.required') };
  const trading = kind === 'ship' || kind === 'receive';
  const foreign = kind === 'import' || kind === 'export';
  return (
    <>
      {trading ? (
        <Form.Item
          name="counterparty"
          label={t('flow.counterparty')}
          rules={[required, { pattern: CREDIT_CODE_PATTERN, message: t('flow.creditCodeRule') }]}
        >
          <Input maxLength={18} autoComplete="off" />
        </Form.Item>
      ) : null}
      {foreign ? (
        <Row gutter={12}>
          <Col xs={24} md={16}>
            <Form.Item name="counterparty_name" label={t('flow.counterpartyName')} rules={[required, { max: 200 }]}>
              <Input />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item
              name="country"
              label={t('flow.country')}
              rules={[required, { pattern: /^[A-Za-z]{2}$/, message: t('flow.countryRule') }]}
            >
              <Input maxLength={2} />
            </Form.Item>
          </Col>
        </Row>
      ) : null}
      {trading || foreign ? (
        <Row gutter={12}>
          <Col xs={24} md={8}>
            <Form.Item name={['documents', 'invoice_no']} label={t('flow.invoiceNo')} rules={[{ max: 64 }]}>
              <Input />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name={['documents', 'waybill_no']} label={t('flow.waybillNo')} rules={[{ max: 64 }]}>
              <Input />
            </Form.Item>
          </Col>
          {foreign ? (
            <Col xs={24} md={8}>
              <Form.Item
                name={['documents', 'customs_declaration_no']}
                label={t('flow.customsNo')}
                rules={[{ max: 64 }]}
              >
                <Input />
              </Form.Item>
            </Col>
          ) : null}
        </Row>
      ) : null}
      {kind === 'loss' ? (
        <Form.Item name="reason" label={t('flow.reason')} rules={[required, { max: 2000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      ) : null}
    </>
  );
}

function AmendmentFields({ kind }: { kind: EventFormValues['kind'] }) {
  const t = useTranslate();
  return (
    <Collapse
      size="small"
      style={{ marginBottom: 16 }}
      items={[
        {
          key: 'amendment',
          label: t('flow.amendment'),
          forceRender: true,
          children: (
            <>
              <Form.Item name="amends" label={t('flow.amends')} extra={t('flow.amendsHint')}>
                <Select mode="tags" open={false} suffixIcon={null} />
              </Form.Item>
              {kind === 'loss' ? null : (
                <Form.Item name="reason" label={t('flow.reason')} rules={[{ max: 2000 }]}>
                  <Input.TextArea rows={2} />
                </Form.Item>
              )}
            </>
          ),
        },
      ]}
    />
  );
}

interface FlowEventDrawerProps {
  readonly open: boolean;
  readonly onClose: () => void;
  /** After the server stored (or had stored) the event; `period` is the event's month. */
  readonly onRecorded: (result: SubmissionResult, period: string) => void;
}

/** 记录流向事件: one event of any kind; the server validates, computes REO and answers with field errors. */
export function FlowEventDrawer({ open, onClose, onRecorded }: FlowEventDrawerProps) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<EventFormValues>();
  const kind = Form.useWatch('kind', form) ?? 'produce';
  const { options: products } = useProducts();
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  // A new event id per form: it is the idempotency key, so it must not change while the user corrects errors.
  const [initialValues] = useState(freshValues);

  const submit = async (values: EventFormValues) => {
    setSaving(true);
    setError(undefined);
    try {
      const result = await api.post<SubmissionResult>('/flows', { events: [eventOf(values)] });
      void message.success(t(result.replayed ? 'flow.replayed' : 'flow.recorded'));
      onRecorded(result, values.event_time.slice(0, 7));
      form.resetFields();
      form.setFieldsValue(freshValues());
    } catch (failure) {
      setError(failure);
      if (failure instanceof ApiError) {
        const rename = Object.fromEntries(failure.fieldErrors.map((item) => [item.field, formFieldOf(item.field)]));
        showFieldErrors(form, failure, rename);
      }
    } finally {
      setSaving(false);
    }
  };

  const required = { required: true, message: t('common.required') };
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={t('flows.record')}
      size={kind === 'transform' ? 1100 : 720}
      destroyOnHidden={false}
      extra={
        <Flex gap="small">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={saving} onClick={() => form.submit()} data-testid="flow-submit">
            {t('flow.submit')}
          </Button>
        </Flex>
      }
    >
      <ProblemAlert error={error} summary={error ? t('flow.failed') : undefined} />
      <Form<EventFormValues> form={form} layout="vertical" onFinish={submit} initialValues={initialValues}>
        <Row gutter={12}>
          <Col xs={24} md={10}>
            <Form.Item
              name="event_id"
              label={t('flow.eventId')}
              tooltip={t('flow.eventIdHint')}
              rules={[required, { max: 128 }]}
            >
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="kind" label={t('flow.kind')} rules={[required]}>
              <Select options={flowKindList.map((value) => ({ value, label: t(`flowKind.${value}`) }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="event_time" label={t('flow.eventTime')} rules={[required]}>
              <Input type="datetime-local" />
            </Form.Item>
          </Col>
        </Row>
        {kind === 'transform' ? (
          <>
            <LineList name="inputs" title={t('flow.inputs')} products={products} />
            <LineList name="outputs" title={t('flow.outputs')} products={products} />
            <EdgeList form={form} />
            <Divider />
          </>
        ) : (
          <LineFields prefix={[]} productOptions={products} />
        )}
        <KindFields kind={kind} />
        <AmendmentFields kind={kind} />
      </Form>
    </Drawer>
  );
}
