import { useState } from 'react';
import { App as AntApp, Button, Card, Form, Skeleton, Space } from 'antd';
import { useNavigate, useParams } from 'react-router-dom';
import { api } from '../../shared/api.ts';
import { kgToTonnesInput, tonnesToKg } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert, showFieldErrors } from '../../shared/page.tsx';
import type { Enterprise, EnterpriseCreate, EnterprisePatch } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { EnterpriseFormFields, type EnterpriseFormValues } from './enterprise-form-fields.tsx';
import { isEmptyChange } from '../../../contracts/change.rules.ts';

/** API field → form field, where the form differs (tonnes typed, kg sent). */
const renamedFields = {
  mining_capacity_reo_kg_per_year: 'mining_capacity_tonnes',
  separation_capacity_reo_kg_per_year: 'separation_capacity_tonnes',
};

const blankValues: Partial<EnterpriseFormValues> = {
  group_id: null,
  mining_capacity_tonnes: '0',
  separation_capacity_tonnes: '0',
  technical_score: 80,
  environment_score: 80,
  safety_score: 80,
  licences: [],
  security_profile: { responsible_person: '', protection_level: 3, last_assessment_on: '' },
};

function formValuesOf(enterprise: Enterprise): EnterpriseFormValues {
  return {
    credit_code: enterprise.credit_code,
    name: enterprise.name,
    kind: enterprise.kind,
    domicile_code: enterprise.domicile_code,
    group_id: enterprise.group_id,
    mining_capacity_tonnes: kgToTonnesInput(enterprise.mining_capacity_reo_kg_per_year),
    separation_capacity_tonnes: kgToTonnesInput(enterprise.separation_capacity_reo_kg_per_year),
    technical_score: enterprise.technical_score,
    environment_score: enterprise.environment_score,
    safety_score: enterprise.safety_score,
    licences: enterprise.licences.map((licence) => ({ ...licence })),
    security_profile: {
      ...enterprise.security_profile,
      last_assessment_on: enterprise.security_profile.last_assessment_on ?? '',
    },
  };
}

/** The request body; tonnes are converted back to exact integer kg (the form's rules reject finer values). */
function bodyOf(values: EnterpriseFormValues): EnterpriseCreate {
  return {
    credit_code: values.credit_code.trim().toUpperCase(),
    name: values.name.trim(),
    kind: values.kind,
    domicile_code: values.domicile_code,
    group_id: values.group_id ?? null,
    mining_capacity_reo_kg_per_year: tonnesToKg(values.mining_capacity_tonnes) ?? 0,
    separation_capacity_reo_kg_per_year: tonnesToKg(values.separation_capacity_tonnes) ?? 0,
    technical_score: values.technical_score,
    environment_score: values.environment_score,
    safety_score: values.safety_score,
    licences: (values.licences ?? []).map((licence) => ({ ...licence, number: licence.number.trim() })),
    security_profile: {
      responsible_person: values.security_profile.responsible_person.trim(),
      protection_level: values.security_profile.protection_level,
      last_assessment_on: values.security_profile.last_assessment_on || null,
    },
  };
}

/** Only what changed goes into the PATCH, so a save never rewrites fields another person just changed. */
function patchOf(original: Enterprise, body: EnterpriseCreate): EnterprisePatch {
  const patch: Record<string, unknown> = { expected_version: original.version };
  const { credit_code: _creditCode, ...fields } = body;
  for (const [name, value] of Object.entries(fields)) {
    if (JSON.stringify(value) !== JSON.stringify(original[name as keyof Enterprise])) patch[name] = value;
  }
  return patch as EnterprisePatch;
}

function EnterpriseForm({ original }: { original: Enterprise | null }) {
  const t = useTranslate();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<EnterpriseFormValues>();
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);

  const save = async (values: EnterpriseFormValues) => {
    setSaving(true);
    setError(undefined);
    try {
      const body = bodyOf(values);
      const patch = original ? patchOf(original, body) : null;
      // Nothing changed: nothing to send (the server refuses an empty change).
      const saved = original
        ? patch && !isEmptyChange(patch)
          ? await api.patch<Enterprise>(`/enterprises/${original.id}`, patch)
          : original
        : await api.post<Enterprise>('/enterprises', body);
      void message.success(t('common.saved'));
      void navigate(`/enterprises/${saved.id}`);
    } catch (failure) {
      setError(failure);
      showFieldErrors(form, failure, renamedFields);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card>
      <ProblemAlert error={error} />
      <Form<EnterpriseFormValues>
        form={form}
        layout="vertical"
        onFinish={save}
        initialValues={original ? formValuesOf(original) : blankValues}
        scrollToFirstError
      >
        <EnterpriseFormFields
          creating={original === null}
          {...(original ? { domicileName: original.domicile_name } : {})}
        />
        <Space style={{ marginTop: 24 }}>
          <Button type="primary" htmlType="submit" loading={saving}>
            {t('common.save')}
          </Button>
          <Button onClick={() => void navigate(original ? `/enterprises/${original.id}` : '/enterprises')}>
            {t('common.cancel')}
          </Button>
        </Space>
      </Form>
    </Card>
  );
}

/** `/enterprises/new` registers an enterprise; `/enterprises/:id/edit` changes one against its version. */
export function EnterpriseEditPage() {
  const t = useTranslate();
  const { id } = useParams();
  const enterprise = useApi<Enterprise>(id ? `/enterprises/${encodeURIComponent(id)}` : null);

  if (!id) {
    return (
      <>
        <PageHeader title={t('enterprises.create')} />
        <EnterpriseForm original={null} />
      </>
    );
  }
  if (enterprise.error) return <ProblemAlert error={enterprise.error} />;
  if (!enterprise.data) return <Skeleton active paragraph={{ rows: 12 }} />;
  return (
    <>
      <PageHeader title={t('enterprises.edit', { name: enterprise.data.name })} />
      <EnterpriseForm original={enterprise.data} />
    </>
  );
}
