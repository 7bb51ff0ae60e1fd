import { useEffect, type CSSProperties, type ReactNode } from 'react';
import { Alert, Flex, Typography } from 'antd';
import type { FormInstance } from 'antd';
import { ApiError, errorText } from './api.ts';
import { languageNow, translate, useTranslate, type Translate } from './i18n.ts';
import { problemSummary, translatedFieldErrors } from './problems.ts';

interface PageHeaderProps {
  readonly title: string;
  readonly subtitle?: ReactNode;
  readonly extra?: ReactNode;
}

/** Title line of every page; also names the browser tab after it. */
export function PageHeader({ title, subtitle, extra }: PageHeaderProps) {
  const t = useTranslate();
  useEffect(() => {
    document.title = `${title} · ${t('app.shortName')}`;
  }, [title, t]);
  return (
    <Flex justify="space-between" align="flex-start" gap="middle" wrap style={{ marginBottom: 16 }}>
      <div>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {subtitle ? <Typography.Text type="secondary">{subtitle}</Typography.Text> : null}
      </div>
      {extra ? (
        <Flex gap="small" wrap>
          {extra}
        </Flex>
      ) : null}
    </Flex>
  );
}

interface ProblemAlertProps {
  readonly error: unknown;
  /** A heading in the reader's language; the server's detail then goes underneath it. */
  readonly summary?: string | undefined;
  readonly style?: CSSProperties;
}

/** The server's explanation of a failure, with its field errors listed underneath. */
export function ProblemAlert({ error, summary: given, style }: ProblemAlertProps) {
  const t = useTranslate();
  if (error === undefined || error === null) return null;
  // Refusals the app knows (a wrong code, a step-up, the password policy) get a heading in the reader's language.
  const summary = given ?? problemSummary(t, error);
  const fieldErrors = error instanceof ApiError ? translatedFieldErrors(t, error) : [];
  const detail = errorText(error);
  const fieldList =
    fieldErrors.length > 0 ? (
      <ul style={{ margin: 0, paddingInlineStart: 20 }}>
        {fieldErrors.map((item) => (
          <li key={`${item.field}:${item.message}`}>
            <code>{item.field}</code>: {item.message}
          </li>
        ))}
      </ul>
    ) : null;
  const description = summary ? (
    <>
      <div>{detail}</div>
      {fieldList}
    </>
  ) : (
    fieldList
  );
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      data-testid="problem"
      style={{ marginBottom: 16, ...style }}
      title={summary ?? detail}
      description={description ?? undefined}
    />
  );
}

/** `licences.0.valid_to` → ['licences', 0, 'valid_to'], the name path antd's Form uses. */
function namePath(field: string): (string | number)[] {
  return field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * Puts the server's field errors next to the form fields they name. `rename` maps an API field to the
 * form's own name where they differ (e.g. kg in the API, tonnes in the form).
 */
export function showFieldErrors(
  form: FormInstance,
  error: unknown,
  rename: Readonly<Record<string, string>> = {},
): void {
  if (!(error instanceof ApiError)) return;
  const t: Translate = (key, values) => translate(languageNow(), key, values);
  const byField = new Map<string, string[]>();
  for (const item of translatedFieldErrors(t, error)) {
    const field = rename[item.field] ?? item.field;
    byField.set(field, [...(byField.get(field) ?? []), item.message]);
  }
  form.setFields([...byField].map(([field, errors]) => ({ name: namePath(field), errors })));
}
