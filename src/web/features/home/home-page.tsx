import { Alert, Card, Col, Row, Skeleton, Statistic, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { formatTonnes } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser, useSession } from '../../shared/session.tsx';
import type { Division, Enterprise, Page } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { CapacityChart } from './capacity-chart.tsx';

/** The largest page the API hands out; the home figures cover at most this many enterprises. */
const HOME_PAGE_SIZE = 200;

interface Totals {
  readonly enterprises: number;
  readonly mining: number;
  readonly separation: number;
  readonly designated: number;
  readonly miningCapacityKg: number;
  readonly separationCapacityKg: number;
}

function totalsOf(enterprises: readonly Enterprise[]): Totals {
  return {
    enterprises: enterprises.length,
    mining: enterprises.filter((item) => item.kind !== 'separation').length,
    separation: enterprises.filter((item) => item.kind !== 'mining').length,
    designated: enterprises.filter((item) => item.designated_scopes.length > 0).length,
    miningCapacityKg: enterprises.reduce((sum, item) => sum + item.mining_capacity_reo_kg_per_year, 0),
    separationCapacityKg: enterprises.reduce((sum, item) => sum + item.separation_capacity_reo_kg_per_year, 0),
  };
}

function StatisticCard({ title, value, testId }: { title: string; value: string | number; testId: string }) {
  return (
    <Card data-testid={testId} style={{ height: '100%' }}>
      <Statistic title={title} value={value} />
    </Card>
  );
}

function EnterpriseOverview() {
  const t = useTranslate();
  const enterprises = useApi<Page<Enterprise>>('/enterprises', { page_size: HOME_PAGE_SIZE });
  const provinces = useApi<Division[]>('/divisions');

  if (enterprises.error) return <ProblemAlert error={enterprises.error} />;
  if (!enterprises.data) return <Skeleton active paragraph={{ rows: 8 }} />;
  const items = enterprises.data.items;
  const totals = totalsOf(items);
  return (
    <>
      {enterprises.data.total > items.length ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('home.partial', { shown: items.length, total: enterprises.data.total })}
        />
      ) : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12} xl={4}>
          <StatisticCard testId="stat-enterprises" title={t('home.stat.enterprises')} value={enterprises.data.total} />
        </Col>
        <Col xs={24} sm={12} xl={4}>
          <StatisticCard testId="stat-mining" title={t('home.stat.mining')} value={totals.mining} />
        </Col>
        <Col xs={24} sm={12} xl={4}>
          <StatisticCard testId="stat-separation" title={t('home.stat.separation')} value={totals.separation} />
        </Col>
        <Col xs={24} sm={12} xl={4}>
          <StatisticCard testId="stat-designated" title={t('home.stat.designated')} value={totals.designated} />
        </Col>
        <Col xs={24} sm={12} xl={4}>
          <StatisticCard
            testId="stat-mining-capacity"
            title={t('home.stat.miningCapacity')}
            value={formatTonnes(totals.miningCapacityKg)}
          />
        </Col>
        <Col xs={24} sm={12} xl={4}>
          <StatisticCard
            testId="stat-separation-capacity"
            title={t('home.stat.separationCapacity')}
            value={formatTonnes(totals.separationCapacityKg)}
          />
        </Col>
      </Row>
      <Card
        title={t('home.chart.title')}
        extra={<Typography.Text type="secondary">{t('home.chart.unit')}</Typography.Text>}
        style={{ marginTop: 16 }}
      >
        <CapacityChart enterprises={items} provinces={provinces.data ?? []} />
      </Card>
    </>
  );
}

export function HomePage() {
  const t = useTranslate();
  const user = useCurrentUser();
  const { can } = useSession();
  return (
    <>
      <PageHeader title={t('home.title')} subtitle={t('home.welcome', { name: user.display_name })} />
      {can('enterprise.read') ? (
        <EnterpriseOverview />
      ) : (
        <Card>
          <Typography.Paragraph>{t('home.noRegister')}</Typography.Paragraph>
          {can('user.manage') ? <Link to="/users">{t('nav.users')}</Link> : null}
          {can('product.write') ? (
            <Link to="/products" style={{ marginLeft: 16 }}>
              {t('nav.products')}
            </Link>
          ) : null}
        </Card>
      )}
    </>
  );
}
