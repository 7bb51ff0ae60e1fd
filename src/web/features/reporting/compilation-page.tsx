import { useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Flex, Form, Popconfirm, Typography } from 'antd';
import { SendOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Navigate, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert, showFieldErrors } from '../../shared/page.tsx';
import { useCurrentUser, useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { formatBeijing } from '../flows/flow-format.ts';
import { AbsentTable, ChildrenTable, CompilationVersions, reasonField } from './compilation-parts.tsx';
import { DivisionBreadcrumb, useDivisionPath } from './division-path.tsx';
import { LinesTable } from './lines-table.tsx';
import { isCompilerOf, isPeriod, newIdempotencyKey, periodEnded } from './report-rules.ts';
import { lastMonth, LevelTag, PeriodPicker } from './reporting-labels.tsx';
import { ReturnModal } from './return-modal.tsx';
import { NATION, type CompilationDraft, type CompilationView } from './reporting-types.ts';

/** /compilations: the reader's own division (the nation for the ministries), for the month last ended. */
export function OwnCompilationRedirect() {
  const user = useCurrentUser();
  return <Navigate to={`/compilations/${user.division_code ?? NATION}/${lastMonth()}`} replace />;
}

interface Returning {
  readonly id: string;
  readonly subject: string;
}

/** Compile and forward: the buttons of the division's own officials, and what they send. */
function useCompileActions(code: string, period: string, draft: CompilationDraft | undefined, reload: () => void) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Record<string, string>>();
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState<'compile' | 'forward' | null>(null);
  const attemptKey = useRef<string | null>(null);

  const compile = async (values: Record<string, string>) => {
    if (!draft) return;
    attemptKey.current ??= newIdempotencyKey(`web-compile-${code}-${period}`);
    const reasons = Object.fromEntries(
      draft.absent.map((child) => [child.code, (values[reasonField(child.code)] ?? '').trim()]),
    );
    setBusy('compile');
    setError(undefined);
    try {
      const compiled = await api.post<CompilationView>('/compilations', {
        division_code: code,
        period,
        reasons,
        ...(draft.latest ? { replaces: draft.latest.id } : {}),
        idempotency_key: attemptKey.current,
      });
      attemptKey.current = null;
      void message.success(t('compilation.compiled', { version: compiled.version }));
      reload();
    } catch (failure) {
      if (!(failure instanceof ApiError) || failure.status !== 0) attemptKey.current = null;
      setError(failure);
      showFieldErrors(
        form,
        failure,
        Object.fromEntries(draft.absent.map((child) => [`reasons.${child.code}`, reasonField(child.code)])),
      );
    } finally {
      setBusy(null);
    }
  };

  const forward = async (compilation: CompilationView) => {
    setBusy('forward');
    setError(undefined);
    try {
      await api.post<CompilationView>(`/compilations/${compilation.id}/forward`);
      void message.success(t('compilation.forwarded', { version: compilation.version }));
      reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  };
  return { form, error, busy, compile, forward, resetKey: () => (attemptKey.current = null) };
}

/**
 * 汇总上报: a division's compilation for a period (Art. 9) — the children in, those missing or late with
 * reasons, those returned (compiling waits for them), the totals; compile, forward, and the versions.
 */
export function CompilationPage() {
  const t = useTranslate();
  const { code = NATION, period: requested = '' } = useParams();
  const period = isPeriod(requested) ? requested : lastMonth();
  const navigate = useNavigate();
  const user = useCurrentUser();
  const { can } = useSession();
  const query = { division_code: code, period };
  const draft = useApi<CompilationDraft>('/compilations/draft', query);
  const versions = useApi<CompilationView[]>('/compilations', query);
  const { path, parent } = useDivisionPath(code);
  const [returning, setReturning] = useState<Returning | null>(null);
  const reload = () => {
    draft.reload();
    versions.reload();
  };
  const current = draft.data?.division_code === code && draft.data.period === period ? draft.data : undefined;
  const actions = useCompileActions(code, period, current, reload);
  const compiler = can('report.review') && isCompilerOf(user, code, NATION);
  const parentCompiler = parent !== null && can('report.review') && isCompilerOf(user, parent, NATION);
  const latest = current?.latest ?? null;
  const list = (versions.data ?? []).filter((item) => item.division_code === code && item.period === period);
  const forwardable = compiler && latest && !latest.forwarded_at && !latest.returned && code !== NATION;
  const ended = periodEnded(period);
  const blocked = (current?.returned.length ?? 0) > 0;
  const name = current?.division_name ?? path.at(-1)?.name ?? code;

  return (
    <>
      <DivisionBreadcrumb path={path} linkTo={(target) => `/compilations/${target}/${period}`} />
      <PageHeader
        title={t('compilation.title', { name, period })}
        subtitle={
          current ? (
            <Flex gap="small" align="center" wrap>
              <LevelTag level={current.level} />
              <span>{t('report.deadlineAt', { time: formatBeijing(current.deadline) })}</span>
            </Flex>
          ) : null
        }
        extra={
          <PeriodPicker
            id="compilation-period"
            value={period}
            onChange={(next) => void navigate(`/compilations/${code}/${next}`)}
          />
        }
      />
      <ProblemAlert error={draft.error ?? versions.error} />
      {latest?.returned && compiler ? (
        <Alert
          type="error"
          showIcon
          data-testid="returned-banner"
          style={{ marginBottom: 16 }}
          title={t('compilation.returnedTitle', { version: latest.version })}
          description={t('report.returnedText', {
            reason: latest.returned.reason,
            by: latest.returned.returned_by,
            time: formatBeijing(latest.returned.returned_at),
          })}
        />
      ) : null}
      {current && current.returned.length > 0 ? (
        <Alert
          type="warning"
          showIcon
          data-testid="returned-children"
          style={{ marginBottom: 16 }}
          title={t('compilation.returnedChildren')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {current.returned.map((child) => (
                <li key={child.code}>{t('compilation.returnedChild', { name: child.name, reason: child.reason })}</li>
              ))}
            </ul>
          }
        />
      ) : null}
      <Form form={actions.form} onFinish={(values) => void actions.compile(values)} onValuesChange={actions.resetKey}>
        <Card
          title={t('compilation.draft')}
          loading={!current && !draft.error}
          style={{ marginBottom: 16 }}
          extra={
            compiler ? (
              <Flex gap="small">
                <Button
                  type="primary"
                  htmlType="submit"
                  icon={<SafetyCertificateOutlined />}
                  loading={actions.busy === 'compile'}
                  disabled={!ended || blocked}
                  data-testid="compile"
                >
                  {latest ? t('compilation.recompile') : t('compilation.compile')}
                </Button>
                {forwardable ? (
                  <Popconfirm
                    title={t('compilation.forwardConfirm', { version: latest.version })}
                    okText={t('compilation.forward')}
                    cancelText={t('common.cancel')}
                    onConfirm={() => void actions.forward(latest)}
                  >
                    <Button icon={<SendOutlined />} loading={actions.busy === 'forward'} data-testid="forward">
                      {t('compilation.forward')}
                    </Button>
                  </Popconfirm>
                ) : null}
              </Flex>
            ) : null
          }
        >
          <ProblemAlert error={actions.error} summary={t('compilation.failed')} />
          {!ended ? (
            <Alert type="info" showIcon title={t('compilation.notEnded')} style={{ marginBottom: 16 }} />
          ) : null}
          {blocked && compiler ? (
            <Typography.Paragraph type="warning">{t('compilation.blocked')}</Typography.Paragraph>
          ) : null}
          {current ? (
            <Flex vertical gap={16}>
              <div>
                <Typography.Title level={5}>{t('compilation.childrenIn')}</Typography.Title>
                <ChildrenTable
                  items={current.children}
                  period={period}
                  onReturn={
                    compiler
                      ? (child) =>
                          setReturning({
                            id: child.id,
                            subject: t('return.compilationSubject', {
                              name: child.name,
                              period,
                              version: child.version,
                            }),
                          })
                      : null
                  }
                />
              </div>
              <div>
                <Typography.Title level={5}>{t('compilation.absentTitle')}</Typography.Title>
                <AbsentTable absent={current.absent} editable={compiler} />
              </div>
              <div>
                <Typography.Title level={5}>{t('compilation.totals')}</Typography.Title>
                <LinesTable lines={current.totals} testId="compilation-totals" />
              </div>
            </Flex>
          ) : null}
        </Card>
      </Form>
      <CompilationVersions
        versions={list}
        onReturn={
          parentCompiler
            ? (compilation) =>
                setReturning({
                  id: compilation.id,
                  subject: t('return.compilationSubject', { name, period, version: compilation.version }),
                })
            : null
        }
      />
      {returning ? (
        <ReturnModal
          subject={returning.subject}
          path={`/compilations/${returning.id}/return`}
          onClose={() => setReturning(null)}
          onReturned={() => {
            setReturning(null);
            reload();
          }}
        />
      ) : null}
    </>
  );
}
