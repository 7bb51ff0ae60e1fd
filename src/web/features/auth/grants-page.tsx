import { useState } from 'react';
import {
  App as AntApp,
  Button,
  Card,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Segmented,
  Table,
  Tag,
  Typography,
} from 'antd';
import { api } from '../../shared/api.ts';
import { formatDateTime } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert, showFieldErrors } from '../../shared/page.tsx';
import { roleLabel } from '../../shared/roles.ts';
import type { AccountGrant, GrantStatusName, Page } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';

const statuses: readonly GrantStatusName[] = ['pending', 'approved', 'refused'];
const statusColour: Record<GrantStatusName, string> = { pending: 'gold', approved: 'green', refused: 'red' };

export function GrantStatusTag({ status }: { status: GrantStatusName }) {
  const t = useTranslate();
  return <Tag color={statusColour[status]}>{t(`grants.status.${status}`)}</Tag>;
}

/** 拒绝: refuses a proposal with the reason, which the operator and oversight then see. */
function RefuseModal({ grant, onClose, onDone }: { grant: AccountGrant; onClose: () => void; onDone: () => void }) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const submit = async ({ reason }: { reason: string }) => {
    setSaving(true);
    setError(undefined);
    try {
      await api.post(`/users/${grant.user_id}/grant/refuse`, { reason: reason.trim() });
      void message.success(t('grants.refused'));
      onDone();
    } catch (failure) {
      setError(failure);
      showFieldErrors(form, failure);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open
      title={t('grants.refuseTitle')}
      okText={t('grants.refuse')}
      okButtonProps={{ danger: true }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph>
        <code>{grant.login}</code> · {grant.display_name} · {roleLabel(t, grant.role)} {grant.authority_name ?? ''}
      </Typography.Paragraph>
      <ProblemAlert error={error} />
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item
          name="reason"
          label={t('grants.reason')}
          extra={t('grants.refuseHint')}
          rules={[
            { required: true, whitespace: true, message: t('grants.reasonRequired') },
            { max: 500, message: t('grants.reasonRequired') },
          ]}
        >
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * 待审批账号: the proposals of privileged accounts that the reader's authority decides (a ministry's for its
 * officials, a department's for its own, oversight's for oversight accounts), with approve and refuse.
 */
export function GrantsPage() {
  const t = useTranslate();
  const language = useLanguage();
  const { message } = AntApp.useApp();
  const [status, setStatus] = useState<GrantStatusName>('pending');
  const [page, setPage] = useState(1);
  const [refusing, setRefusing] = useState<AccountGrant | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const grants = useApi<Page<AccountGrant>>('/users/grants', { status, page, page_size: 20 });

  const approve = async (grant: AccountGrant) => {
    setError(undefined);
    try {
      await api.post(`/users/${grant.user_id}/grant/approve`);
      void message.success(t('grants.approved'));
      grants.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <>
      <PageHeader title={t('grants.title')} subtitle={t('grants.subtitle')} />
      <Card>
        <Flex gap="small" style={{ marginBottom: 16 }}>
          <Segmented<GrantStatusName>
            value={status}
            onChange={(value) => {
              setStatus(value);
              setPage(1);
            }}
            options={statuses.map((value) => ({ value, label: t(`grants.status.${value}`) }))}
          />
        </Flex>
        <ProblemAlert error={grants.error ?? error} />
        <Table<AccountGrant>
          rowKey="id"
          size="middle"
          loading={grants.loading}
          dataSource={grants.data?.items ?? []}
          locale={{ emptyText: status === 'pending' ? t('grants.none') : t('common.noData') }}
          scroll={{ x: 1100 }}
          columns={[
            {
              title: t('grants.account'),
              key: 'account',
              render: (_value, grant) => (
                <>
                  <code>{grant.login}</code> {grant.display_name}
                </>
              ),
            },
            {
              title: t('grants.kind'),
              dataIndex: 'kind',
              render: (kind: AccountGrant['kind']) => t(`grants.kind.${kind}`),
            },
            {
              title: t('grants.grantedRole'),
              key: 'role',
              render: (_value, grant) => (
                <>
                  {roleLabel(t, grant.role)}
                  {grant.authority_name ? <div>{grant.authority_name}</div> : null}
                </>
              ),
            },
            {
              title: t('grants.previous'),
              dataIndex: 'previous_role',
              render: (role: string | null) => (role ? roleLabel(t, role) : '—'),
            },
            {
              title: t('grants.proposedBy'),
              dataIndex: 'proposed_by_login',
              render: (login: string) => <code>{login}</code>,
            },
            {
              title: t('grants.proposedAt'),
              dataIndex: 'proposed_at',
              render: (at: string) => formatDateTime(at, language),
            },
            {
              title: t('users.state'),
              key: 'status',
              render: (_value, grant) => (
                <>
                  <GrantStatusTag status={grant.status} />
                  {grant.reason ? <Typography.Text type="secondary">{grant.reason}</Typography.Text> : null}
                  {grant.decided_by_login ? (
                    <div>
                      <Typography.Text type="secondary">
                        {grant.decided_by_login} · {grant.decided_at ? formatDateTime(grant.decided_at, language) : ''}
                      </Typography.Text>
                    </div>
                  ) : null}
                </>
              ),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_value, grant) =>
                grant.status === 'pending' ? (
                  <Flex gap="small">
                    <Popconfirm
                      title={
                        grant.kind === 'second_factor_reset' ? t('grants.resetConfirm') : t('grants.approveConfirm')
                      }
                      okText={t('grants.approve')}
                      cancelText={t('common.cancel')}
                      onConfirm={() => approve(grant)}
                    >
                      <Button type="primary" size="small">
                        {t('grants.approve')}
                      </Button>
                    </Popconfirm>
                    <Button danger size="small" onClick={() => setRefusing(grant)}>
                      {t('grants.refuse')}
                    </Button>
                  </Flex>
                ) : null,
            },
          ]}
          pagination={{
            current: page,
            pageSize: 20,
            total: grants.data?.total ?? 0,
            showTotal: (total) => t('common.total', { count: total }),
            onChange: setPage,
          }}
        />
      </Card>
      {refusing ? (
        <RefuseModal
          grant={refusing}
          onClose={() => setRefusing(null)}
          onDone={() => {
            setRefusing(null);
            grants.reload();
          }}
        />
      ) : null}
    </>
  );
}
