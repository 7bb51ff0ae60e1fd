import { useState, type ReactNode } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { Alert, App as AntApp, Button, Layout, Menu, Segmented, Space, Typography, theme } from 'antd';
import type { MenuProps } from 'antd';
import {
  ApartmentOutlined,
  AccountBookOutlined,
  BellOutlined,
  CalculatorOutlined,
  FundOutlined,
  NodeIndexOutlined,
  AlertOutlined,
  AuditOutlined,
  BankOutlined,
  BranchesOutlined,
  CloudUploadOutlined,
  ClusterOutlined,
  DashboardOutlined,
  DiffOutlined,
  ExceptionOutlined,
  FileSearchOutlined,
  FileSyncOutlined,
  InboxOutlined,
  InsuranceOutlined,
  ReconciliationOutlined,
  RiseOutlined,
  FileDoneOutlined,
  FileProtectOutlined,
  FileTextOutlined,
  SwapOutlined,
  ExperimentOutlined,
  HomeOutlined,
  KeyOutlined,
  LogoutOutlined,
  PieChartOutlined,
  SafetyCertificateOutlined,
  ScheduleOutlined,
  SolutionOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { errorText } from './api.ts';
import { formatDateTime } from './format.ts';
import { setLanguage, useLanguage, useTranslate, type Language, type MessageKey } from './i18n.ts';
import { useCurrentUser, useSession } from './session.tsx';

interface NavigationEntry {
  readonly path: string;
  readonly label: MessageKey;
  readonly icon: ReactNode;
  /** Shown only to users the server grants this permission; null: everyone signed in. */
  readonly permission: string | null;
  readonly section: 'overview' | 'registry' | 'indicators' | 'flows' | 'reporting' | 'supervision' | 'system';
  /** Shown only to users who belong to an enterprise (their own quota). */
  readonly enterpriseOnly?: boolean;
  /** Shown only to users who do not belong to an enterprise (jurisdiction-wide views). */
  readonly officialOnly?: boolean;
}

const navigation: readonly NavigationEntry[] = [
  { path: '/', label: 'nav.home', icon: <HomeOutlined />, permission: null, section: 'overview' },
  {
    path: '/dashboard',
    label: 'nav.dashboard',
    icon: <PieChartOutlined />,
    permission: 'report.read',
    section: 'overview',
    officialOnly: true,
  },
  {
    path: '/enterprises',
    label: 'nav.enterprises',
    icon: <BankOutlined />,
    permission: 'enterprise.read',
    section: 'registry',
  },
  {
    path: '/designations',
    label: 'nav.designations',
    icon: <SafetyCertificateOutlined />,
    permission: 'designation.read',
    section: 'registry',
  },
  {
    path: '/products',
    label: 'nav.products',
    icon: <ExperimentOutlined />,
    permission: 'reference.read',
    section: 'registry',
  },
  {
    path: '/divisions',
    label: 'nav.divisions',
    icon: <ApartmentOutlined />,
    permission: 'reference.read',
    section: 'registry',
  },
  {
    path: '/indicators',
    label: 'nav.indicators',
    icon: <FundOutlined />,
    permission: 'indicator.read',
    section: 'indicators',
  },
  {
    path: '/allocation',
    label: 'nav.allocation',
    icon: <NodeIndexOutlined />,
    permission: 'allocation.read',
    section: 'indicators',
  },
  {
    path: '/allocation/what-if',
    label: 'nav.whatIf',
    icon: <CalculatorOutlined />,
    permission: 'allocation.write',
    section: 'indicators',
  },
  { path: '/notices', label: 'nav.notices', icon: <BellOutlined />, permission: 'notice.read', section: 'indicators' },
  {
    path: '/quota',
    label: 'nav.quota',
    icon: <AccountBookOutlined />,
    permission: 'ledger.read',
    section: 'indicators',
    enterpriseOnly: true,
  },
  {
    path: '/flows',
    label: 'nav.flows',
    icon: <SwapOutlined />,
    permission: 'flow.read',
    section: 'flows',
    enterpriseOnly: true,
  },
  {
    path: '/flows/upload',
    label: 'nav.flowUpload',
    icon: <CloudUploadOutlined />,
    permission: 'flow.write',
    section: 'flows',
    enterpriseOnly: true,
  },
  {
    path: '/declarations',
    label: 'nav.declarations',
    icon: <FileDoneOutlined />,
    permission: 'flow.read',
    section: 'flows',
    enterpriseOnly: true,
  },
  {
    path: '/declarations/board',
    label: 'nav.declarationBoard',
    icon: <DashboardOutlined />,
    permission: 'flow.read',
    section: 'flows',
    officialOnly: true,
  },
  { path: '/trace', label: 'nav.trace', icon: <BranchesOutlined />, permission: 'flow.read', section: 'flows' },
  { path: '/anomalies', label: 'nav.anomalies', icon: <AlertOutlined />, permission: 'anomaly.read', section: 'flows' },
  {
    path: '/reports',
    label: 'nav.reports',
    icon: <FileTextOutlined />,
    permission: 'report.read',
    section: 'reporting',
    enterpriseOnly: true,
  },
  {
    path: '/reporting/board',
    label: 'nav.reportingBoard',
    icon: <ClusterOutlined />,
    permission: 'report.read',
    section: 'reporting',
    officialOnly: true,
  },
  {
    path: '/compilations',
    label: 'nav.compilations',
    icon: <FileProtectOutlined />,
    permission: 'report.read',
    section: 'reporting',
    officialOnly: true,
  },
  {
    path: '/reporting/reconciliation',
    label: 'nav.reconciliation',
    icon: <DiffOutlined />,
    permission: 'report.read',
    section: 'reporting',
    officialOnly: true,
  },
  {
    path: '/reporting/deadlines',
    label: 'nav.deadlines',
    icon: <ScheduleOutlined />,
    permission: 'report.read',
    section: 'reporting',
  },
  {
    path: '/supervision',
    label: 'nav.supervision',
    icon: <InsuranceOutlined />,
    permission: 'supervision.read',
    section: 'supervision',
  },
  {
    path: '/supervision/risk',
    label: 'nav.risk',
    icon: <RiseOutlined />,
    permission: 'supervision.read',
    section: 'supervision',
    officialOnly: true,
  },
  {
    path: '/supervision/inspections',
    label: 'nav.inspections',
    icon: <FileSearchOutlined />,
    permission: 'supervision.read',
    section: 'supervision',
  },
  {
    path: '/supervision/violations',
    label: 'nav.violations',
    icon: <ExceptionOutlined />,
    permission: 'supervision.read',
    section: 'supervision',
  },
  {
    path: '/supervision/decisions',
    label: 'nav.decisions',
    icon: <FileSyncOutlined />,
    permission: 'supervision.read',
    section: 'supervision',
  },
  {
    path: '/supervision/reported',
    label: 'nav.reported',
    icon: <InboxOutlined />,
    permission: 'supervision.read',
    section: 'supervision',
    officialOnly: true,
  },
  {
    path: '/supervision/annual-reports',
    label: 'nav.annualReports',
    icon: <ReconciliationOutlined />,
    permission: 'supervision.read',
    section: 'supervision',
    officialOnly: true,
  },
  { path: '/audit', label: 'nav.audit', icon: <AuditOutlined />, permission: 'audit.read', section: 'system' },
  {
    path: '/oversight',
    label: 'nav.oversight',
    icon: <AlertOutlined />,
    permission: 'oversight.read',
    section: 'system',
  },
  {
    path: '/account/security',
    label: 'nav.security',
    icon: <KeyOutlined />,
    permission: null,
    section: 'system',
  },
  { path: '/users', label: 'nav.users', icon: <TeamOutlined />, permission: 'user.manage', section: 'system' },
  {
    path: '/account-grants',
    label: 'nav.grants',
    icon: <SolutionOutlined />,
    permission: 'account.approve',
    section: 'system',
  },
];

const sectionLabels: Record<NavigationEntry['section'], MessageKey> = {
  overview: 'nav.section.overview',
  registry: 'nav.section.registry',
  indicators: 'nav.section.indicators',
  flows: 'nav.section.flows',
  reporting: 'nav.section.reporting',
  supervision: 'nav.section.supervision',
  system: 'nav.section.system',
};

/** The menu entry a path belongs to: the longest navigation path it starts with. */
function selectedPath(pathname: string): string {
  // A certificate is reached from the trace page: its menu entry stays lit.
  if (pathname.startsWith('/certificates/')) return '/trace';
  const matches = navigation.filter((entry) =>
    entry.path === '/' ? pathname === '/' : pathname.startsWith(entry.path),
  );
  return matches.at(-1)?.path ?? '/';
}

export function LanguageSwitch() {
  const language = useLanguage();
  return (
    <Segmented<Language>
      size="small"
      value={language}
      onChange={setLanguage}
      options={[
        { label: '中文', value: 'zh' },
        { label: 'English', value: 'en' },
      ]}
    />
  );
}

function menuItems(
  can: (permission: string) => boolean,
  t: ReturnType<typeof useTranslate>,
  hasEnterprise: boolean,
): NonNullable<MenuProps['items']> {
  const visible = navigation.filter(
    (entry) =>
      (entry.permission === null || can(entry.permission)) &&
      (!entry.enterpriseOnly || hasEnterprise) &&
      (!entry.officialOnly || !hasEnterprise),
  );
  const sections = [...new Set(visible.map((entry) => entry.section))];
  return sections.map((section) => ({
    type: 'group' as const,
    key: section,
    label: t(sectionLabels[section]),
    children: visible
      .filter((entry) => entry.section === section)
      .map((entry) => ({ key: entry.path, icon: entry.icon, label: <Link to={entry.path}>{t(entry.label)}</Link> })),
  }));
}

/**
 * Failed sign-ins to the account since the user's previous sign-in (the server tells them with the session):
 * a stranger's guesses slow only the stranger down, so the user is the one to hear of them.
 */
function FailedSignInsNotice() {
  const t = useTranslate();
  const language = useLanguage();
  const notice = useCurrentUser().failed_sign_ins;
  const [dismissed, setDismissed] = useState(false);
  if (!notice || dismissed) return null;
  return (
    <Alert
      data-testid="failed-sign-ins"
      type="warning"
      showIcon
      closable={{ onClose: () => setDismissed(true) }}
      style={{ marginBottom: 16 }}
      title={t('auth.failedSignIns.title', { count: notice.count })}
      description={t('auth.failedSignIns.detail', {
        last: formatDateTime(notice.last_at, language),
        addresses: notice.addresses.join(language === 'zh' ? '、' : ', '),
      })}
    />
  );
}

export function AppLayout() {
  const t = useTranslate();
  const user = useCurrentUser();
  const { can, signOut } = useSession();
  const { message } = AntApp.useApp();
  const location = useLocation();
  const navigate = useNavigate();
  const [collapsed, setCollapsed] = useState(false);
  const { token } = theme.useToken();

  const handleSignOut = () => {
    signOut().then(
      () => void navigate('/login', { replace: true }),
      (error: unknown) => void message.error(errorText(error)),
    );
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider
        collapsible
        collapsed={collapsed}
        onCollapse={setCollapsed}
        width={220}
        theme="light"
        style={{ borderRight: `1px solid ${token.colorBorderSecondary}` }}
      >
        <div
          style={{
            padding: '16px 20px',
            fontWeight: 600,
            fontSize: collapsed ? 14 : 16,
            color: token.colorPrimary,
            whiteSpace: 'nowrap',
            overflow: 'hidden',
          }}
        >
          {collapsed ? 'Mz' : t('app.shortName')}
        </div>
        <Menu
          mode="inline"
          selectedKeys={[selectedPath(location.pathname)]}
          items={menuItems(can, t, Boolean(user.enterprise_id))}
          style={{ borderInlineEnd: 'none' }}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: token.colorBgContainer,
            padding: '0 24px',
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            borderBottom: `1px solid ${token.colorBorderSecondary}`,
          }}
        >
          <Typography.Text strong style={{ fontSize: 16 }}>
            {t('app.name')}
          </Typography.Text>
          <Space size="middle">
            <Space orientation="vertical" size={0} style={{ lineHeight: 1.3, textAlign: 'right' }}>
              <Typography.Text data-testid="user-name">{user.display_name}</Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {user.authority_name ?? t(`role.${user.role}`)}
              </Typography.Text>
            </Space>
            <LanguageSwitch />
            <Button icon={<LogoutOutlined />} onClick={handleSignOut}>
              {t('auth.signOut')}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <FailedSignInsNotice />
          <Outlet />
        </Layout.Content>
        <Layout.Footer style={{ textAlign: 'center', color: token.colorTextSecondary, padding: '12px 24px' }}>
          {t('app.footer')}
        </Layout.Footer>
      </Layout>
    </Layout>
  );
}
