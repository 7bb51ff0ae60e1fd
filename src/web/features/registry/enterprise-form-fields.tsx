import { Button, Col, Divider, Form, Input, InputNumber, Row, Select, Space } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { checkCreditCode } from '../../../contracts/credit-code.rules.ts';
import { DivisionSelect } from '../../shared/division-select.tsx';
import { tonnesToKg } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import type { EnterpriseKind, Group, LicenceKind } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';

/** The form's own shape: capacities typed in tonnes, as text, so no digit is lost to floating point. */
export interface EnterpriseFormValues {
  credit_code: string;
  name: string;
  kind: EnterpriseKind;
  domicile_code: string;
  group_id: string | null;
  mining_capacity_tonnes: string;
  separation_capacity_tonnes: string;
  technical_score: number;
  environment_score: number;
  safety_score: number;
  licences: { kind: LicenceKind; number: string; valid_from: string; valid_to: string }[];
  security_profile: { responsible_person: string; protection_level: number; last_assessment_on: string };
}

const kinds: readonly EnterpriseKind[] = ['mining', 'separation', 'both'];
const licenceKinds: readonly LicenceKind[] = ['mining', 'safety', 'discharge'];

function LicenceFields() {
  const t = useTranslate();
  const required = { required: true, message: t('common.required') };
  return (
    <Form.List name="licences">
      {(fields, { add, remove }) => (
        <>
          {fields.map((field) => (
            <Space key={field.key} align="start" wrap style={{ display: 'flex' }}>
              <Form.Item name={[field.name, 'kind']} rules={[required]}>
                <Select
                  placeholder={t('licence.kind')}
                  style={{ width: 160 }}
                  options={licenceKinds.map((kind) => ({ value: kind, label: t(`licenceKind.${kind}`) }))}
                />
              </Form.Item>
              <Form.Item name={[field.name, 'number']} rules={[required, { max: 64 }]}>
                <Input placeholder={t('licence.number')} style={{ width: 260 }} />
              </Form.Item>
              <Form.Item name={[field.name, 'valid_from']} rules={[required]}>
                <Input type="date" aria-label={t('licence.validFrom')} />
              </Form.Item>
              <Form.Item
                name={[field.name, 'valid_to']}
                dependencies={[['licences', field.name, 'valid_from']]}
                rules={[
                  required,
                  ({ getFieldValue }) => ({
                    validator: (_rule, value: string | undefined) => {
                      const from = getFieldValue(['licences', field.name, 'valid_from']) as string | undefined;
                      return !value || !from || value >= from
                        ? Promise.resolve()
                        : Promise.reject(new Error(t('licence.toBeforeFrom')));
                    },
                  }),
                ]}
              >
                <Input type="date" aria-label={t('licence.validTo')} />
              </Form.Item>
              <Button
                type="text"
                icon={<MinusCircleOutlined />}
                aria-label={t('common.remove')}
                onClick={() => remove(field.name)}
              />
            </Space>
          ))}
          <Button
            type="dashed"
            icon={<PlusOutlined />}
            onClick={() => add({ kind: 'safety', number: '', valid_from: '', valid_to: '' })}
          >
            {t('licence.add')}
          </Button>
        </>
      )}
    </Form.List>
  );
}

export function EnterpriseFormFields({ creating, domicileName }: { creating: boolean; domicileName?: string }) {
  const t = useTranslate();
  const groups = useApi<Group[]>('/groups');
  const required = { required: true, message: t('common.required') };
  const tonnesRule = {
    validator: (_rule: unknown, value: string | undefined) =>
      value === undefined || value === '' || tonnesToKg(value) !== null
        ? Promise.resolve()
        : Promise.reject(new Error(t('enterprise.tonnesInvalid'))),
  };
  const creditCodeRule = {
    validator: (_rule: unknown, value: string | undefined) => {
      const problem = value ? checkCreditCode(value.trim().toUpperCase()) : null;
      if (!problem) return Promise.resolve();
      const text =
        problem.position === 0
          ? t('enterprise.creditCodeLength', { length: value?.trim().length ?? 0 })
          : t('enterprise.creditCodeAt', { position: problem.position });
      return Promise.reject(new Error(text));
    },
  };
  const score = (name: 'technical_score' | 'environment_score' | 'safety_score', label: string) => (
    <Col xs={24} md={8}>
      <Form.Item name={name} label={label} rules={[required]}>
        <InputNumber min={0} max={100} precision={0} style={{ width: '100%' }} />
      </Form.Item>
    </Col>
  );

  return (
    <>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item
            name="credit_code"
            label={t('enterprise.creditCode')}
            rules={creating ? [required, creditCodeRule] : []}
            normalize={(value: string) => value.toUpperCase()}
          >
            <Input disabled={!creating} maxLength={18} style={{ fontFamily: 'monospace' }} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name="name" label={t('enterprise.name')} rules={[required, { min: 2, max: 200 }]}>
            <Input />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name="kind" label={t('enterprise.kind')} rules={[required]}>
            <Select options={kinds.map((kind) => ({ value: kind, label: t(`enterpriseKind.${kind}`) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name="domicile_code" label={t('enterprise.domicile')} rules={[required]}>
            <DivisionSelect {...(domicileName ? { initialLabel: domicileName } : {})} />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name="group_id" label={t('enterprise.group')}>
            <Select
              allowClear
              loading={groups.loading}
              options={(groups.data ?? []).map((group) => ({ value: group.id, label: group.name }))}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item
            name="mining_capacity_tonnes"
            label={t('enterprise.miningCapacity')}
            rules={[required, tonnesRule]}
          >
            <Input inputMode="decimal" suffix={t('unit.tonnesReoPerYear')} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item
            name="separation_capacity_tonnes"
            label={t('enterprise.separationCapacity')}
            rules={[required, tonnesRule]}
          >
            <Input inputMode="decimal" suffix={t('unit.tonnesReoPerYear')} />
          </Form.Item>
        </Col>
        {score('technical_score', t('enterprise.technicalScore'))}
        {score('environment_score', t('enterprise.environmentScore'))}
        {score('safety_score', t('enterprise.safetyScore'))}
      </Row>
      <Divider titlePlacement="start">{t('licence.title')}</Divider>
      <LicenceFields />
      <Divider titlePlacement="start">{t('security.title')}</Divider>
      <Row gutter={16}>
        <Col xs={24} md={8}>
          <Form.Item
            name={['security_profile', 'responsible_person']}
            label={t('security.responsiblePerson')}
            rules={[required, { max: 50 }]}
          >
            <Input />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item
            name={['security_profile', 'protection_level']}
            label={t('security.protectionLevel')}
            rules={[required]}
          >
            <Select
              options={[1, 2, 3, 4, 5].map((level) => ({ value: level, label: t('security.levelValue', { level }) }))}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name={['security_profile', 'last_assessment_on']} label={t('security.lastAssessment')}>
            <Input type="date" />
          </Form.Item>
        </Col>
      </Row>
    </>
  );
}
