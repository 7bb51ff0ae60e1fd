import { Descriptions, Space, Table, Tag, Typography } from 'antd';
import { formatTonnes } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import type { Explanation } from '../indicators/indicator-types.ts';

type Contribution = NonNullable<Explanation['contributions']>[number];

/** Why a holder got what it got: eligibility, cap, each factor's part and any Art. 14 reduction with its decisions. */
export function ShareExplanation({ explanation }: { readonly explanation: Explanation }) {
  const t = useTranslate();
  const reasons = explanation.reasons ?? [];
  return (
    <div data-testid="share-explanation" style={{ padding: '4px 8px' }}>
      <Descriptions
        size="small"
        column={{ xs: 1, md: 4 }}
        items={[
          {
            key: 'eligible',
            label: t('allocation.status'),
            children:
              explanation.eligible === false ? (
                <Space wrap>
                  <Tag color="red">{t('allocation.ineligible')}</Tag>
                  {reasons.map((reason) => (
                    <Tag key={reason}>{labelOf(t, 'reason', reason)}</Tag>
                  ))}
                </Space>
              ) : (
                <Tag color="green">{t('allocation.eligible')}</Tag>
              ),
          },
          {
            key: 'cap',
            label: t('allocation.cap'),
            children: (
              <Space>
                {explanation.cap_reo_kg === undefined
                  ? '—'
                  : `${formatTonnes(explanation.cap_reo_kg)} ${t('unit.tonnes')}`}
                {explanation.capped ? <Tag color="orange">{t('allocation.capped')}</Tag> : null}
              </Space>
            ),
          },
          {
            key: 'unpenalised',
            label: t('allocation.unpenalised'),
            children:
              explanation.unpenalised_reo_kg === undefined
                ? '—'
                : `${formatTonnes(explanation.unpenalised_reo_kg)} ${t('unit.tonnes')}`,
          },
          {
            key: 'reduction',
            label: t('allocation.reduction'),
            children: (
              <Typography.Text type={explanation.penalty_reduction_reo_kg ? 'danger' : 'secondary'}>
                {formatTonnes(explanation.penalty_reduction_reo_kg ?? 0)} {t('unit.tonnes')}
              </Typography.Text>
            ),
          },
          ...(explanation.engine_reo_kg !== undefined
            ? [
                {
                  key: 'engine',
                  label: t('allocation.engineShare'),
                  span: 'filled' as const,
                  children: (
                    <Typography.Text type="warning" data-testid="engine-share">
                      {formatTonnes(explanation.engine_reo_kg)} {t('unit.tonnes')}
                    </Typography.Text>
                  ),
                },
              ]
            : []),
          ...(explanation.penalty_decisions && explanation.penalty_decisions.length > 0
            ? [
                {
                  key: 'penaltyDecisions',
                  label: t('allocation.penaltyDecisions'),
                  span: 4,
                  children: (
                    <Space wrap data-testid="penalty-decisions">
                      {explanation.penalty_decisions.map((decision) => (
                        <Tag key={decision.decision_id} color="red">
                          {decision.document_no}（{decision.decided_on}）
                        </Tag>
                      ))}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {explanation.contributions && explanation.contributions.length > 0 ? (
        <Table<Contribution>
          size="small"
          rowKey="factor"
          pagination={false}
          style={{ maxWidth: 640 }}
          title={() => t('allocation.contribution')}
          dataSource={explanation.contributions}
          columns={[
            {
              title: t('allocation.factor'),
              dataIndex: 'factor',
              render: (factor: string) => labelOf(t, 'factor', factor),
            },
            {
              title: t('allocation.basisShare'),
              dataIndex: 'basis_share_ppm',
              align: 'right',
              render: (ppm: number) => `${ppm.toLocaleString('en-US')}（${(ppm / 10_000).toFixed(2)}%）`,
            },
            {
              title: t('allocation.share'),
              dataIndex: 'reo_kg',
              align: 'right',
              render: (kg: number) => <span className="numeric">{formatTonnes(kg)}</span>,
            },
          ]}
        />
      ) : explanation.contributions === undefined ? (
        <Typography.Text type="secondary">{t('allocation.noExplanation')}</Typography.Text>
      ) : null}
    </div>
  );
}
