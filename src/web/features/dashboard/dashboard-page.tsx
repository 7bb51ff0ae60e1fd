import { useCallback, useMemo } from 'react';
import { Breadcrumb, Button, Card, Col, Flex, Row, Select, Spin, Statistic, Typography } from 'antd';
import { useSearchParams } from 'react-router-dom';
import { formatTonnes, todayInChina } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useApi } from '../../shared/use-api.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { ChinaMap, type ProvinceFigures } from './china-map.tsx';
import { HistoryChart, TrendChart, UtilisationChart } from './dashboard-charts.tsx';
import {
  AnomalyCounts,
  AreasTable,
  EnterprisesTable,
  figuresIn,
  OverdueCorrections,
  OverdueList,
} from './dashboard-tables.tsx';
import {
  formatPercent,
  type DashboardView,
  type GeoFeatureCollection,
  type IndicatorHistory,
} from './dashboard-types.ts';

const FIRST_YEAR = 2017;

/** The provinces the map colours: every province for a national reader, else the reader's own division. */
function provincesOf(root: DashboardView, category: string | null): ProvinceFigures[] {
  if (root.view.level !== 'nation') {
    const figures = figuresIn(root.totals, category);
    return figures ? [{ key: root.view.code.slice(0, 2), name: root.view.name, figures }] : [];
  }
  return root.areas.flatMap((area) => {
    const figures = figuresIn(area, category);
    return figures ? [{ key: area.code.slice(0, 2), name: area.name, figures }] : [];
  });
}

function Totals({ view, category }: { readonly view: DashboardView; readonly category: string | null }) {
  const t = useTranslate();
  const figures = figuresIn(view.totals, category);
  const tonnes = (kg: number) => `${kg < 0 ? '−' : ''}${formatTonnes(Math.abs(kg))}`;
  return (
    <Row gutter={[16, 16]} data-testid="dashboard-totals">
      <Col xs={12} md={5}>
        <Statistic
          title={t('dashboard.allocated')}
          value={tonnes(figures?.allocated_reo_kg ?? 0)}
          suffix={t('dashboard.tonnes')}
        />
      </Col>
      <Col xs={12} md={5}>
        <Statistic
          title={t('dashboard.consumed')}
          value={tonnes(figures?.consumed_reo_kg ?? 0)}
          suffix={t('dashboard.tonnes')}
        />
      </Col>
      <Col xs={12} md={5}>
        <Statistic
          title={t('dashboard.remaining')}
          value={tonnes(figures?.remaining_reo_kg ?? 0)}
          suffix={t('dashboard.tonnes')}
          styles={{ content: { color: (figures?.remaining_reo_kg ?? 0) < 0 ? '#cf1322' : undefined } }}
        />
      </Col>
      <Col xs={12} md={5}>
        <Statistic title={t('dashboard.utilisation')} value={formatPercent(figures?.utilisation_ppm ?? null)} />
      </Col>
      <Col xs={12} md={4}>
        <Statistic title={t('dashboard.elapsed')} value={formatPercent(view.elapsed_ppm)} />
        <Typography.Text type="secondary">{t('dashboard.elapsedOn', { date: view.today })}</Typography.Text>
      </Col>
    </Row>
  );
}

/** 总量控制指标执行情况: the national and jurisdiction dashboards, drilled down province → prefecture → county. */
export function DashboardPage() {
  const t = useTranslate();
  const [params, setParams] = useSearchParams();
  const thisYear = Number(todayInChina().slice(0, 4));
  const year = Number(params.get('year') ?? thisYear) || thisYear;
  const division = params.get('division');
  const category = params.get('category');

  const root = useApi<DashboardView>('/dashboard', { year });
  const drilled = useApi<DashboardView>(division ? '/dashboard' : null, { year, division_code: division });
  const map = useApi<GeoFeatureCollection>('/public/maps/china');
  const history = useApi<IndicatorHistory>('/dashboard/indicator-history');
  const current = division ? drilled : root;
  const view = current.data;

  const navigate = useCallback(
    (changes: Record<string, string | null>) => {
      const next = new URLSearchParams(params);
      for (const [name, value] of Object.entries(changes)) {
        if (value === null) next.delete(name);
        else next.set(name, value);
      }
      setParams(next);
    },
    [params, setParams],
  );
  const open = useCallback(
    (code: string) => navigate({ division: code === root.data?.view.code ? null : code }),
    [navigate, root.data],
  );
  const provinces = useMemo(() => (root.data ? provincesOf(root.data, category) : []), [root.data, category]);
  const onProvince = useCallback(
    (key: string) => {
      const rootView = root.data?.view;
      if (!rootView) return;
      if (rootView.level !== 'nation') return open(rootView.code);
      if (provinces.some((item) => item.key === key)) open(`${key}0000`);
    },
    [root.data, provinces, open],
  );
  const years = Array.from({ length: thisYear + 2 - FIRST_YEAR }, (_, index) => thisYear + 1 - index);
  const categories = view ? view.totals.categories.map((line) => line.category) : [];
  const selectedProvince = division ? division.slice(0, 2) : null;

  return (
    <>
      <PageHeader
        title={
          view && view.view.level !== 'nation' ? `${view.view.name} · ${t('dashboard.title')}` : t('dashboard.title')
        }
        subtitle={t('dashboard.subtitle')}
        extra={
          <Flex gap="small" align="center">
            <Typography.Text>{t('dashboard.year')}</Typography.Text>
            <Select
              id="dashboard-year"
              value={year}
              style={{ width: 110 }}
              options={years.map((value) => ({ value, label: String(value) }))}
              onChange={(value: number) => navigate({ year: String(value) })}
            />
            <Typography.Text>{t('dashboard.category')}</Typography.Text>
            <Select
              id="dashboard-category"
              value={category ?? ''}
              style={{ width: 200 }}
              options={[
                { value: '', label: t('dashboard.allCategories') },
                ...categories.map((value) => ({ value, label: labelOf(t, 'category', value) })),
              ]}
              onChange={(value: string) => navigate({ category: value || null })}
            />
          </Flex>
        }
      />
      <ProblemAlert error={current.error ?? root.error} />
      {view ? (
        <Flex justify="space-between" align="center" style={{ marginBottom: 12 }}>
          <Breadcrumb
            data-testid="dashboard-path"
            items={view.view.path.map((step, index) => ({
              key: step.code,
              title:
                index < view.view.path.length - 1 ? (
                  <a onClick={() => open(step.code)}>{step.name}</a>
                ) : (
                  <b>{step.name}</b>
                ),
            }))}
          />
          {view.view.path.length > 1 ? (
            <Button size="small" onClick={() => open(view.view.path.at(-2)?.code ?? '')}>
              {t('dashboard.up')}
            </Button>
          ) : null}
        </Flex>
      ) : null}
      <Spin spinning={current.loading && !view}>
        {view ? (
          <Card style={{ marginBottom: 16 }}>
            <Totals view={view} category={category} />
          </Card>
        ) : null}
      </Spin>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card
            title={t('dashboard.map.title')}
            extra={<Typography.Text type="secondary">{t('dashboard.map.hint')}</Typography.Text>}
          >
            <ProblemAlert error={map.error} summary={t('dashboard.map.failed')} />
            {map.data ? (
              <ChinaMap map={map.data} provinces={provinces} selected={selectedProvince} onSelect={onProvince} />
            ) : (
              <Spin spinning={map.loading} description={t('dashboard.map.loading')}>
                <div style={{ height: 460 }} />
              </Spin>
            )}
            <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }} data-testid="map-note">
              {t('dashboard.map.note')}
            </Typography.Paragraph>
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Flex vertical gap={16}>
            <Card title={t('dashboard.utilisation.title')}>
              {view ? <UtilisationChart categories={view.totals.categories} elapsedPpm={view.elapsed_ppm} /> : <Spin />}
            </Card>
            <Card title={t('dashboard.anomalies.title')}>
              {view ? <AnomalyCounts anomalies={view.anomalies} /> : <Spin />}
            </Card>
          </Flex>
        </Col>
        <Col xs={24}>
          <Card title={t('dashboard.areas.title')}>
            {view ? <AreasTable view={view} category={category} onOpen={open} /> : <Spin />}
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title={t('dashboard.trend.title')}>
            {view ? <TrendChart production={view.production} year={year} /> : <Spin />}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card
            title={
              view?.overdue.period
                ? t('dashboard.overdue.title', { period: view.overdue.period })
                : t('dashboard.overdue.titleNone')
            }
          >
            {view ? <OverdueList overdue={view.overdue} /> : <Spin />}
          </Card>
          <Card
            style={{ marginTop: 16 }}
            title={t('dashboard.corrections.title', { count: view?.overdue.corrections.count ?? 0 })}
          >
            {view ? <OverdueCorrections corrections={view.overdue.corrections} /> : <Spin />}
          </Card>
        </Col>
        <Col xs={24}>
          <Card title={t('dashboard.enterprises.title')}>
            {view ? <EnterprisesTable view={view} category={category} /> : <Spin />}
          </Card>
        </Col>
        <Col xs={24}>
          <Card title={t('dashboard.history.title')} data-testid="dashboard-history">
            <ProblemAlert error={history.error} />
            {history.data ? (
              <>
                <HistoryChart history={history.data} />
                <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
                  {t('dashboard.history.source')}
                  {history.data.source.join(' ')}
                </Typography.Paragraph>
              </>
            ) : (
              <Spin />
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
