import { useEffect, useState } from 'react';
import { Alert, Button, Card, Descriptions, Input, Skeleton, Table, Typography } from 'antd';
import { ArrowLeftOutlined, SendOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../../shared/api.ts';
import { formatTonnes, tonnesToKg } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useApi } from '../../shared/use-api.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import type { EngineHolder, EngineInput, EngineResult, Run } from '../indicators/indicator-types.ts';
import { choiceFromQuery, choiceQuery } from './allocation-choice.tsx';

/** Server field errors such as `shares.0.reo_kg`, keyed by the holder that share was for. */
function errorsByHolder(error: unknown, sentIds: readonly string[]): Map<string, string[]> {
  const byHolder = new Map<string, string[]>();
  if (!(error instanceof ApiError)) return byHolder;
  for (const item of error.fieldErrors) {
    const match = /^shares\.(\d+)/.exec(item.field);
    const id = match ? sentIds[Number(match[1])] : undefined;
    if (id) byHolder.set(id, [...(byHolder.get(id) ?? []), `${item.field}: ${item.message}`]);
  }
  return byHolder;
}

/** The longest reason the server takes for departing from the engine. */
const REASON_MAX_LENGTH = 1000;

/** The engine's kg per holder on the same input, or null while unknown or when the engine refuses the input. */
function useEngineFigures(input: EngineInput | undefined): ReadonlyMap<string, number> | null {
  const [figures, setFigures] = useState<{ input: EngineInput; byHolder: ReadonlyMap<string, number> } | null>(null);
  useEffect(() => {
    if (!input) return;
    let current = true;
    api.post<EngineResult>('/allocation/what-if', input).then(
      (result) =>
        current && setFigures({ input, byHolder: new Map(result.holders.map((holder) => [holder.id, holder.reo_kg])) }),
      () => current && setFigures(null),
    );
    return () => {
      current = false;
    };
  }, [input]);
  return figures && figures.input === input ? figures.byHolder : null;
}

/**
 * 手工分配: fixed tonnes per holder, checked by the server the same way as the engine's shares. Figures other
 * than the engine's need a reason (oversight rule 2): the field shows as soon as they differ.
 */
export function ManualAllocationPage() {
  const t = useTranslate();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const choice = choiceFromQuery(params);
  const input = useApi<EngineInput>('/allocation/input', {
    batch_id: choice.batchId,
    category: choice.category,
    level: choice.level,
    group_id: choice.level === 'group' ? choice.groupId : null,
  });
  const engine = useEngineFigures(input.data);
  const [tonnes, setTonnes] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [sentIds, setSentIds] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  if (input.error) return <ProblemAlert error={input.error} />;
  if (!input.data) return <Skeleton active paragraph={{ rows: 8 }} />;
  const data = input.data;

  const entered = data.holders.map((holder) => {
    const text = tonnes[holder.id]?.trim() ?? '';
    return { holder, text, kg: text === '' ? 0 : tonnesToKg(text) };
  });
  const invalid = entered.some((item) => item.kg === null);
  const sum = entered.reduce((total, item) => total + (item.kg ?? 0), 0);
  const difference = sum - data.total_reo_kg;
  const rowErrors = errorsByHolder(error, sentIds);
  const differing = engine
    ? entered.filter((item) => item.kg !== null && item.kg !== (engine.get(item.holder.id) ?? 0)).length
    : 0;
  const reasonError =
    error instanceof ApiError ? error.fieldErrors.find((item) => item.field === 'reason')?.message : undefined;

  const submit = async () => {
    const shares = entered
      .filter((item) => item.kg !== null && item.kg > 0)
      .map((item) => ({ holder_id: item.holder.id, reo_kg: item.kg ?? 0 }));
    setSentIds(shares.map((share) => share.holder_id));
    setBusy(true);
    setError(undefined);
    try {
      const run = await api.post<Run>('/allocation-runs', {
        mode: 'manual',
        batch_id: choice.batchId,
        category: choice.category,
        level: choice.level,
        ...(choice.level === 'group' ? { group_id: choice.groupId } : {}),
        shares,
        ...(differing > 0 && reason.trim() !== '' ? { reason: reason.trim() } : {}),
      });
      void navigate(`/allocation/runs/${run.id}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title={`${t('allocation.manual')} · ${labelOf(t, 'category', data.category)}`}
        subtitle={t(`level.${choice.level}`)}
        extra={
          <Link to={`/allocation?${choiceQuery(choice)}`}>
            <Button icon={<ArrowLeftOutlined />}>{t('allocation.title')}</Button>
          </Link>
        }
      />
      <ProblemAlert error={error} />
      <Card>
        <Descriptions
          size="small"
          column={3}
          style={{ marginBottom: 16 }}
          items={[
            {
              key: 'total',
              label: t('allocation.total'),
              children: <strong>{formatTonnes(data.total_reo_kg)}</strong>,
            },
            {
              key: 'sum',
              label: t('allocation.sum'),
              children: <span data-testid="manual-sum">{formatTonnes(sum)}</span>,
            },
            {
              key: 'difference',
              label: t('allocation.difference'),
              children: (
                <Typography.Text type={difference === 0 ? 'success' : 'danger'} data-testid="manual-difference">
                  {difference === 0
                    ? t('allocation.sumMatches')
                    : `${difference > 0 ? '+' : '−'}${formatTonnes(Math.abs(difference))}`}
                </Typography.Text>
              ),
            },
          ]}
        />
        <Table<EngineHolder>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={data.holders}
          columns={[
            {
              title: t('allocation.holder'),
              dataIndex: 'name',
              render: (name: string | undefined, holder) => name ?? holder.id,
            },
            {
              title: `${t('allocation.cap')}（${t('unit.tonnes')}）`,
              dataIndex: 'cap_reo_kg',
              align: 'right',
              render: (kg: number) => <span className="numeric">{formatTonnes(kg)}</span>,
            },
            {
              title: t('allocation.share'),
              key: 'share',
              width: 260,
              render: (_value, holder) => {
                const problems = rowErrors.get(holder.id);
                const bad = tonnesToKg(tonnes[holder.id] ?? '0') === null && (tonnes[holder.id] ?? '') !== '';
                return (
                  <>
                    <Input
                      data-testid={`share-${holder.id}`}
                      inputMode="decimal"
                      status={problems || bad ? 'error' : ''}
                      suffix={t('unit.tonnes')}
                      value={tonnes[holder.id] ?? ''}
                      onChange={(event) => setTonnes({ ...tonnes, [holder.id]: event.target.value })}
                    />
                    {problems?.map((problem) => (
                      <Typography.Text key={problem} type="danger" style={{ fontSize: 12, display: 'block' }}>
                        {problem}
                      </Typography.Text>
                    ))}
                  </>
                );
              },
            },
          ]}
        />
        {invalid ? <Alert type="warning" title={t('batch.tonnesRule')} style={{ marginTop: 12 }} /> : null}
        {differing > 0 && !invalid ? (
          <div data-testid="manual-reason" style={{ marginTop: 16, maxWidth: 720 }}>
            <Alert type="info" showIcon title={t('allocation.differsFromEngine', { count: differing })} />
            <Typography.Text strong style={{ display: 'block', margin: '12px 0 4px' }}>
              <label htmlFor="manual-reason">{t('allocation.reason')}</label>
            </Typography.Text>
            <Input.TextArea
              id="manual-reason"
              rows={3}
              maxLength={REASON_MAX_LENGTH}
              showCount
              status={reasonError ? 'error' : ''}
              placeholder={t('allocation.reasonHint')}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
            {reasonError ? (
              <Typography.Text type="danger" style={{ fontSize: 12, display: 'block' }}>
                {reasonError}
              </Typography.Text>
            ) : null}
          </div>
        ) : null}
        <Button
          type="primary"
          icon={<SendOutlined />}
          style={{ marginTop: 16 }}
          loading={busy}
          disabled={invalid}
          onClick={() => void submit()}
        >
          {t('allocation.submitManual')}
        </Button>
      </Card>
    </>
  );
}
