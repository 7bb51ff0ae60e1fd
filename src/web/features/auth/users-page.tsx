import { useState } from 'react';
import { App as AntApp, Button, Card, Flex, Select, Table, Tag, Tooltip, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, errorText } from '../../shared/api.ts';
import { formatDateTime } from '../../shared/format.ts';
import { useLanguage, useTranslate, type Translate } from '../../shared/i18n.ts';
import { problemSummary } from '../../shared/problems.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { roleLabel, roleNames } from '../../shared/roles.ts';
import type { Page, RoleName, SecondFactorReset, User } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { approverName } from './approver-name.ts';
import { CreateUserModal } from './create-user-modal.tsx';

function AccountState({ user }: { user: User }) {
  const t = useTranslate();
  const language = useLanguage();
  const grant = user.grant;
  if (user.grant_status === 'pending' && grant) {
    return (
      <Tooltip title={t('users.pendingTip', { approver: approverName(t, grant) })}>
        <Tag color="gold">{t('grants.status.pending')}</Tag>
      </Tooltip>
    );
  }
  if (user.grant_status === 'refused') {
    return (
      <Tooltip title={t('users.refusedTip', { reason: grant?.reason ?? '' })}>
        <Tag color="red">{t('grants.status.refused')}</Tag>
      </Tooltip>
    );
  }
  const change =
    (grant?.kind === 'change' || grant?.kind === 'second_factor_reset') && grant.status === 'pending' ? (
      <Tooltip title={t('users.pendingTip', { approver: approverName(t, grant) })}>
        <Tag color="gold">{grant.kind === 'change' ? t('users.changePending') : t('users.resetPending')}</Tag>
      </Tooltip>
    ) : null;
  if (!user.active)
    return (
      <>
        <Tag>{t('users.inactive')}</Tag>
        {change}
      </>
    );
  if (user.locked_until && new Date(user.locked_until) > new Date()) {
    return (
      <>
        <Tooltip title={formatDateTime(user.locked_until, language)}>
          <Tag color="red">{t('users.locked')}</Tag>
        </Tooltip>
        {change}
      </>
    );
  }
  return (
    <>
      <Tag color="green">{t('users.active')}</Tag>
      {change}
    </>
  );
}

/** Accounts whose second-factor reset is a proposal another official decides (two people), not done at once. */
const privilegedRoles: readonly RoleName[] = ['ministry_official', 'department_official', 'oversight'];

function resetText(t: Translate, user: User) {
  return (
    <>
      <Typography.Paragraph>{t('users.resetFactorText')}</Typography.Paragraph>
      <Typography.Paragraph strong>
        {privilegedRoles.includes(user.role) ? t('users.resetFactorPrivileged') : t('users.resetFactorImmediate')}
      </Typography.Paragraph>
    </>
  );
}

export function UsersPage() {
  const t = useTranslate();
  const language = useLanguage();
  const [role, setRole] = useState<RoleName | null>(null);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [creating, setCreating] = useState(false);
  const users = useApi<Page<User>>('/users', { role, page, page_size: pageSize });
  const { message, modal } = AntApp.useApp();

  // 重置动态口令: a lost phone without recovery codes. The server decides whether it is a proposal or done.
  const resetSecondFactor = (user: User) => {
    void modal.confirm({
      title: t('users.resetFactorTitle', { name: user.display_name }),
      content: resetText(t, user),
      okText: t('users.resetFactor'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      width: 480,
      onOk: async () => {
        try {
          const answer = await api.post<SecondFactorReset>(`/users/${user.id}/second-factor/reset`);
          void message.success(answer.applied ? t('users.resetFactorDone') : t('users.resetFactorProposed'));
          users.reload();
        } catch (failure) {
          void message.error(problemSummary(t, failure) ?? errorText(failure));
        }
      },
    });
  };

  return (
    <>
      <PageHeader
        title={t('users.title')}
        subtitle={t('users.subtitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('users.create')}
          </Button>
        }
      />
      <Card>
        <Flex gap="small" style={{ marginBottom: 16 }}>
          <Select<RoleName>
            allowClear
            placeholder={t('users.role')}
            value={role}
            onChange={(value) => {
              setRole(value ?? null);
              setPage(1);
            }}
            options={roleNames.map((value) => ({ value, label: roleLabel(t, value) }))}
            style={{ width: 220 }}
          />
        </Flex>
        <ProblemAlert error={users.error} />
        <Table<User>
          rowKey="id"
          size="middle"
          loading={users.loading}
          dataSource={users.data?.items ?? []}
          scroll={{ x: 1000 }}
          columns={[
            { title: t('users.login'), dataIndex: 'login', render: (login: string) => <code>{login}</code> },
            { title: t('users.displayName'), dataIndex: 'display_name' },
            { title: t('users.role'), dataIndex: 'role', render: (value: RoleName) => roleLabel(t, value) },
            { title: t('users.authority'), dataIndex: 'authority_id', render: (id: string | null) => id ?? '—' },
            {
              title: t('users.enterprise'),
              dataIndex: 'enterprise_id',
              render: (id: string | null) =>
                id ? (
                  <Tooltip title={id}>
                    <code>{id.slice(0, 8)}</code>
                  </Tooltip>
                ) : (
                  '—'
                ),
            },
            { title: t('users.state'), key: 'state', render: (_value, user) => <AccountState user={user} /> },
            {
              title: t('users.createdAt'),
              dataIndex: 'created_at',
              render: (at: string) => formatDateTime(at, language),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_value, user) => (
                <Button size="small" onClick={() => resetSecondFactor(user)}>
                  {t('users.resetFactor')}
                </Button>
              ),
            },
          ]}
          pagination={{
            current: page,
            pageSize,
            total: users.data?.total ?? 0,
            showTotal: (total) => t('common.total', { count: total }),
            onChange: (nextPage, nextSize) => {
              setPage(nextPage);
              setPageSize(nextSize);
            },
          }}
        />
      </Card>
      {creating ? (
        <CreateUserModal
          onClose={() => setCreating(false)}
          onSaved={() => {
            setCreating(false);
            users.reload();
          }}
        />
      ) : null}
    </>
  );
}
