import { useState } from 'react';
import {
  App as AntApp,
  Button,
  Card,
  Descriptions,
  Flex,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { api } from '../../shared/api.ts';
import { formatDateTime } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser, useSession } from '../../shared/session.tsx';
import type { SessionStage, SessionView } from '../../shared/types.ts';
import { useApi, type Loaded } from '../../shared/use-api.ts';
import { Enrolment } from './enrolment.tsx';
import { PasswordChangeForm } from './password-form.tsx';
import { RecoveryCodes } from './recovery-codes.tsx';

/** A user agent in a few words: the browser and the system, enough to tell one's own devices apart. */
function clientName(userAgent: string | null): string {
  if (!userAgent) return '—';
  const browser =
    /Edg\/[\d]+/.exec(userAgent)?.[0]?.replace('Edg', 'Edge') ??
    /(?:Chrome|Chromium|Firefox|Version)\/[\d]+/.exec(userAgent)?.[0]?.replace('Version', 'Safari') ??
    userAgent.slice(0, 40);
  const system = /Windows|Mac OS X|Android|iPhone|iPad|Linux/.exec(userAgent)?.[0];
  return system ? `${browser} · ${system}` : browser;
}

/** What the second-factor dialog shows: a new enrolment, then the codes it answered; or new codes alone. */
type FactorDialog = { kind: 'enrol' } | { kind: 'codes'; codes: readonly string[] };

function SecondFactorCard() {
  const t = useTranslate();
  const language = useLanguage();
  const user = useCurrentUser();
  const { refresh } = useSession();
  const factor = user.second_factor;
  const [dialog, setDialog] = useState<FactorDialog | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  // New codes replace the old ones; an enrolled account confirms with a one-time code (the step-up dialog).
  const regenerate = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api.post<{ recovery_codes: string[] }>('/auth/second-factor/recovery-codes');
      setDialog({ kind: 'codes', codes: answer.recovery_codes });
      void refresh();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const close = () => {
    setDialog(null);
    void refresh();
  };

  const enrolButton = (
    <Button onClick={() => setDialog({ kind: 'enrol' })}>
      {factor.enrolled ? t('security.factor.reenrol') : t('security.factor.enrol')}
    </Button>
  );

  return (
    <Card title={t('security.factor.title')} data-testid="second-factor-card">
      <ProblemAlert error={error} />
      <Descriptions
        column={{ xs: 1, md: 2 }}
        size="small"
        items={[
          {
            key: 'status',
            label: t('security.factor.status'),
            children: factor.enrolled ? (
              <Tag color="green">{t('security.factor.enrolled')}</Tag>
            ) : (
              <Tag color={factor.required ? 'red' : 'default'}>{t('security.factor.notEnrolled')}</Tag>
            ),
          },
          {
            key: 'required',
            label: t('security.factor.requirement'),
            children: factor.required ? t('security.factor.required') : t('security.factor.optional'),
          },
          {
            key: 'codes',
            label: t('security.factor.codesLeft'),
            children: (
              <Space>
                <span data-testid="recovery-codes-left">
                  {t('security.factor.codesLeftValue', { count: factor.recovery_codes_left })}
                </span>
                {factor.enrolled && factor.recovery_codes_left <= 3 ? (
                  <Typography.Text type="warning">{t('security.factor.codesLow')}</Typography.Text>
                ) : null}
              </Space>
            ),
          },
          {
            key: 'given',
            label: t('security.factor.givenAt'),
            children: factor.given_at ? formatDateTime(factor.given_at, language) : t('security.factor.notGiven'),
          },
        ]}
      />
      <Flex gap="small" wrap style={{ marginTop: 16 }}>
        {factor.enrolled ? (
          <>
            <Popconfirm
              title={t('security.factor.regenerateConfirm')}
              okText={t('security.factor.regenerate')}
              cancelText={t('common.cancel')}
              onConfirm={() => void regenerate()}
            >
              <Button loading={busy}>{t('security.factor.regenerate')}</Button>
            </Popconfirm>
            <Popconfirm
              title={t('security.factor.reenrolConfirm')}
              okText={t('security.factor.reenrol')}
              cancelText={t('common.cancel')}
              onConfirm={() => setDialog({ kind: 'enrol' })}
            >
              <Button>{t('security.factor.reenrol')}</Button>
            </Popconfirm>
          </>
        ) : (
          enrolButton
        )}
      </Flex>
      {dialog ? (
        <Modal
          open
          title={dialog.kind === 'enrol' ? t('enrol.title') : t('recovery.title')}
          width={560}
          mask={{ closable: false }}
          destroyOnHidden
          onCancel={close}
          footer={
            dialog.kind === 'codes' ? (
              <Button type="primary" onClick={close}>
                {t('recovery.saved')}
              </Button>
            ) : null
          }
        >
          {dialog.kind === 'enrol' ? (
            <Enrolment onConfirmed={(codes) => setDialog({ kind: 'codes', codes })} />
          ) : (
            <RecoveryCodes codes={dialog.codes} login={user.login} />
          )}
        </Modal>
      ) : null}
    </Card>
  );
}

/** The list as the server answers it: an array (or, should it ever be paged, a page of them). */
type SessionList = SessionView[] | { items: SessionView[] };

function SessionsCard({ sessions }: { sessions: Loaded<SessionList> }) {
  const t = useTranslate();
  const language = useLanguage();
  const { message } = AntApp.useApp();
  const [error, setError] = useState<unknown>(undefined);
  const rows = Array.isArray(sessions.data) ? sessions.data : (sessions.data?.items ?? []);
  const others = rows.filter((row) => !row.current).length;

  const signOut = async (session: SessionView) => {
    setError(undefined);
    try {
      await api.delete(`/auth/sessions/${session.id}`);
      void message.success(t('security.sessions.signedOut'));
      sessions.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  const signOutOthers = async () => {
    setError(undefined);
    try {
      const answer = await api.post<{ signed_out?: number } | undefined>('/auth/sessions/sign-out-others');
      void message.success(t('security.sessions.signedOutOthers', { count: answer?.signed_out ?? others }));
      sessions.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <Card
      title={t('security.sessions.title')}
      data-testid="sessions-card"
      extra={
        <Popconfirm
          title={t('security.sessions.signOutOthersConfirm')}
          okText={t('security.sessions.signOutOthers')}
          cancelText={t('common.cancel')}
          onConfirm={() => void signOutOthers()}
          disabled={others === 0}
        >
          <Button danger disabled={others === 0}>
            {t('security.sessions.signOutOthers')}
          </Button>
        </Popconfirm>
      }
    >
      <ProblemAlert error={sessions.error ?? error} />
      <Table<SessionView>
        rowKey="id"
        size="middle"
        loading={sessions.loading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 900 }}
        columns={[
          {
            title: t('security.sessions.createdAt'),
            dataIndex: 'created_at',
            render: (at: string, row) => (
              <Space>
                {formatDateTime(at, language)}
                {row.current ? <Tag color="blue">{t('security.sessions.current')}</Tag> : null}
              </Space>
            ),
          },
          {
            title: t('security.sessions.lastSeen'),
            dataIndex: 'last_seen_at',
            render: (at: string) => formatDateTime(at, language),
          },
          { title: t('security.sessions.ip'), dataIndex: 'ip', render: (ip: string | null) => ip ?? '—' },
          {
            title: t('security.sessions.client'),
            dataIndex: 'user_agent',
            render: (agent: string | null) => <Tooltip title={agent}>{clientName(agent)}</Tooltip>,
          },
          {
            title: t('security.sessions.stage'),
            dataIndex: 'stage',
            render: (stage: SessionStage) => t(`session.stage.${stage}`),
          },
          {
            title: t('security.sessions.expiresAt'),
            dataIndex: 'expires_at',
            render: (at: string) => formatDateTime(at, language),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_value, row) =>
              row.current ? null : (
                <Popconfirm
                  title={t('security.sessions.signOutConfirm')}
                  okText={t('security.sessions.signOut')}
                  cancelText={t('common.cancel')}
                  onConfirm={() => void signOut(row)}
                >
                  <Button size="small" danger>
                    {t('security.sessions.signOut')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
    </Card>
  );
}

/**
 * 账户安全, for every signed-in user: the second factor (status, new recovery codes, a new phone), the user's
 * sessions (sign one out, or all the others), and the password.
 */
export function SecurityPage() {
  const t = useTranslate();
  const user = useCurrentUser();
  const { refresh } = useSession();
  const { message } = AntApp.useApp();
  const sessions = useApi<SessionList>('/auth/sessions');

  return (
    <>
      <PageHeader title={t('security.page.title')} subtitle={t('security.page.subtitle')} />
      <Flex vertical gap="middle">
        <SecondFactorCard />
        <SessionsCard sessions={sessions} />
        <Card title={t('password.title')} data-testid="password-card">
          <PasswordChangeForm
            login={user.login}
            onChanged={() => {
              void message.success(t('password.changed'));
              sessions.reload();
              void refresh();
            }}
          />
        </Card>
      </Flex>
    </>
  );
}
