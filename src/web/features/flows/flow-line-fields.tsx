import { Button, Col, Form, Input, InputNumber, Row, Select } from 'antd';
import { DeleteOutlined } from '@ant-design/icons';
import { useTranslate } from '../../shared/i18n.ts';
import { percentToPpm } from './flow-format.ts';

/** One batch line as the form holds it: the grade as a percent string, quantities as whole kg. */
export interface LineValues {
  batch?: string;
  batch_maker?: string;
  product?: string;
  mass_kg?: number | null;
  grade_percent?: string;
  reo_kg?: number | null;
}

type NamePath = (string | number)[];

/** The shape of a unified social credit code; the server checks the check character. */
export const CREDIT_CODE_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

interface LineFieldsProps {
  /** Where the line sits in the form: [] for the single line of most kinds, [index] inside a Form.List. */
  readonly prefix: NamePath;
  readonly productOptions: readonly { value: string; label: string }[];
  /** Inside a list every line is one row with short labels and a remove button. */
  readonly compact?: boolean;
  /** Undefined: the line cannot be removed (the last one of a list). */
  readonly onRemove?: (() => void) | undefined;
}

/** Batch, maker, product, mass, grade and REO of one line; REO is computed by the server when left empty. */
export function LineFields({ prefix, productOptions, compact = false, onRemove }: LineFieldsProps) {
  const t = useTranslate();
  const required = { required: true, message: t('common.required') };
  const span = (wide: number, narrow: number) => (compact ? narrow : wide);
  return (
    <Row gutter={12} align="top" wrap>
      <Col xs={24} md={span(12, 5)}>
        <Form.Item name={[...prefix, 'batch']} label={t('flow.batch')} rules={[required, { max: 64 }]}>
          <Input autoComplete="off" />
        </Form.Item>
      </Col>
      <Col xs={24} md={span(12, 5)}>
        <Form.Item name={[...prefix, 'product']} label={t('flow.product')} rules={[required]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={[...productOptions]}
            placeholder={t('flow.productPlaceholder')}
            popupMatchSelectWidth={false}
          />
        </Form.Item>
      </Col>
      <Col xs={12} md={span(8, 4)}>
        <Form.Item name={[...prefix, 'mass_kg']} label={t('flow.mass')} rules={[required]}>
          <InputNumber min={1} precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={12} md={span(8, 3)}>
        <Form.Item
          name={[...prefix, 'grade_percent']}
          label={t('flow.grade')}
          {...(compact ? {} : { extra: t('flow.gradeHint') })}
          rules={[
            {
              validator: (_rule, value: string | undefined) =>
                !value || percentToPpm(value) !== null
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('flow.gradeRule'))),
            },
          ]}
        >
          <Input inputMode="decimal" autoComplete="off" />
        </Form.Item>
      </Col>
      <Col xs={12} md={span(8, 3)}>
        <Form.Item
          name={[...prefix, 'reo_kg']}
          label={t('flow.reo')}
          {...(compact ? {} : { extra: t('flow.reoHint') })}
        >
          <InputNumber min={0} precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={12} md={span(12, 3)}>
        <Form.Item
          name={[...prefix, 'batch_maker']}
          label={compact ? t('flow.batchMakerShort') : t('flow.batchMaker')}
          {...(compact ? {} : { extra: t('flow.batchMakerHint') })}
          rules={[{ pattern: CREDIT_CODE_PATTERN, message: t('flow.creditCodeRule') }]}
        >
          <Input autoComplete="off" maxLength={18} />
        </Form.Item>
      </Col>
      {compact ? (
        <Col xs={24} md={1} style={{ paddingTop: 30 }}>
          <Button
            icon={<DeleteOutlined />}
            aria-label={t('common.remove')}
            disabled={!onRemove}
            onClick={() => onRemove?.()}
          />
        </Col>
      ) : null}
    </Row>
  );
}
