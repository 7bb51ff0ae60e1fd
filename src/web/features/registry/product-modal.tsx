import { useState } from 'react';
import { App as AntApp, Col, Form, Input, Modal, Row, Select, Switch } from 'antd';
import { api } from '../../shared/api.ts';
import { factorToPpm, formatFactor } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert, showFieldErrors } from '../../shared/page.tsx';
import type { OreType, Product, ProductCreate, ProductForm } from '../../shared/types.ts';
import { isEmptyChange } from '../../../contracts/change.rules.ts';

interface ProductFormValues {
  code: string;
  name_zh: string;
  name_en: string;
  category: Product['category'];
  form: ProductForm;
  ore_type: OreType | null;
  conversion: Product['conversion'];
  /** REO kg per kg as typed ("1.166377"); sent as integer ppm. */
  reo_factor: string;
  active: boolean;
}

const forms: readonly ProductForm[] = [
  'ore',
  'concentrate',
  'leachate',
  'carbonate',
  'oxide',
  'salt',
  'metal',
  'other',
];
const oreTypes: readonly OreType[] = ['rock', 'ion_adsorption', 'mixed', 'imported', 'monazite'];

function bodyOf(values: ProductFormValues): ProductCreate {
  return {
    code: values.code.trim(),
    name_zh: values.name_zh.trim(),
    name_en: values.name_en.trim(),
    category: values.category,
    form: values.form,
    ore_type: values.ore_type ?? null,
    conversion: values.conversion,
    reo_factor_ppm: values.conversion === 'factor' ? factorToPpm(values.reo_factor) : null,
  };
}

/** Only changed fields are sent, against the version the user saw. */
function patchOf(original: Product, values: ProductFormValues): Record<string, unknown> {
  const { code: _code, ...fields } = bodyOf(values);
  const patch: Record<string, unknown> = { expected_version: original.version };
  for (const [name, value] of Object.entries({ ...fields, active: values.active })) {
    if (JSON.stringify(value) !== JSON.stringify(original[name as keyof Product])) patch[name] = value;
  }
  return patch;
}

export function ProductModal({
  original,
  onClose,
  onSaved,
}: {
  original: Product | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<ProductFormValues>();
  const conversion = Form.useWatch('conversion', form);
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const required = { required: true, message: t('common.required') };

  const save = async (values: ProductFormValues) => {
    setSaving(true);
    setError(undefined);
    try {
      if (original) {
        const patch = patchOf(original, values);
        // Nothing changed: nothing to send (the server refuses an empty change).
        if (!isEmptyChange(patch)) await api.patch<Product>(`/products/${encodeURIComponent(original.code)}`, patch);
      } else await api.post<Product>('/products', bodyOf(values));
      void message.success(t('common.saved'));
      onSaved();
    } catch (failure) {
      setError(failure);
      showFieldErrors(form, failure, { reo_factor_ppm: 'reo_factor' });
    } finally {
      setSaving(false);
    }
  };

  const initialValues: Partial<ProductFormValues> = original
    ? { ...original, reo_factor: original.reo_factor_ppm === null ? '' : formatFactor(original.reo_factor_ppm) }
    : {
        category: 'separated',
        form: 'oxide',
        ore_type: null,
        conversion: 'factor',
        reo_factor: '1.000000',
        active: true,
      };

  return (
    <Modal
      open
      width={640}
      title={original ? t('products.edit', { code: original.code }) : t('products.create')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <ProblemAlert error={error} />
      <Form<ProductFormValues> form={form} layout="vertical" onFinish={save} initialValues={initialValues}>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item
              name="code"
              label={t('product.code')}
              rules={original ? [] : [required, { pattern: /^[A-Z0-9_]{2,32}$/, message: t('product.codeRule') }]}
              normalize={(value: string) => value.toUpperCase()}
            >
              <Input disabled={original !== null} style={{ fontFamily: 'monospace' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="category" label={t('product.category')} rules={[required]}>
              <Select
                options={(['mineral', 'separated'] as const).map((value) => ({
                  value,
                  label: t(`productCategory.${value}`),
                }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="name_zh" label={t('product.nameZh')} rules={[required, { max: 100 }]}>
              <Input />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="name_en" label={t('product.nameEn')} rules={[required, { max: 100 }]}>
              <Input />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="form" label={t('product.form')} rules={[required]}>
              <Select options={forms.map((value) => ({ value, label: t(`productForm.${value}`) }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="ore_type" label={t('product.oreType')}>
              <Select allowClear options={oreTypes.map((value) => ({ value, label: t(`oreType.${value}`) }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="conversion" label={t('product.conversion')} rules={[required]}>
              <Select
                options={(['assay', 'factor'] as const).map((value) => ({ value, label: t(`conversion.${value}`) }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            {conversion === 'factor' ? (
              <Form.Item
                name="reo_factor"
                label={t('product.factor')}
                rules={[
                  required,
                  {
                    validator: (_rule, value: string) =>
                      !value || (factorToPpm(value) ?? 0) > 0
                        ? Promise.resolve()
                        : Promise.reject(new Error(t('product.factorRule'))),
                  },
                ]}
              >
                <Input inputMode="decimal" suffix={t('unit.reoPerKg')} />
              </Form.Item>
            ) : null}
          </Col>
          {original ? (
            <Col span={12}>
              <Form.Item name="active" label={t('product.active')} valuePropName="checked">
                <Switch />
              </Form.Item>
            </Col>
          ) : null}
        </Row>
      </Form>
    </Modal>
  );
}
