import { useState } from 'react';
import { Checkbox, Col, Form, Input, InputNumber, Row, Space, Table, Tooltip } from 'antd';
import { formatTonnes, kgToTonnesInput, tonnesToKg } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import {
  factors,
  percentToPpm,
  ppmToPercent,
  type EngineHolder,
  type EngineInput,
  type EngineResult,
} from '../indicators/indicator-types.ts';

const factNames = [
  'designated',
  'mining_licence_valid',
  'safety_licence_valid',
  'discharge_permit_ok',
  'idle',
] as const;
const scoreNames = ['technical_score', 'environment_score', 'safety_score'] as const;

/** Tonnes typed as text (so "12." can become "12.5"), reported as exact kg whenever the text parses. */
function TonnesInput({ kg, onChange, id }: { kg: number; onChange: (kg: number) => void; id?: string }) {
  const t = useTranslate();
  const [text, setText] = useState(kgToTonnesInput(kg));
  const valid = tonnesToKg(text) !== null;
  return (
    <Input
      {...(id ? { id } : {})}
      size="small"
      inputMode="decimal"
      suffix={t('unit.tonnes')}
      status={valid ? '' : 'error'}
      value={text}
      onChange={(event) => {
        setText(event.target.value);
        const parsed = tonnesToKg(event.target.value);
        if (parsed !== null) onChange(parsed);
      }}
    />
  );
}

interface ScenarioEditorProps {
  readonly name: string;
  readonly value: EngineInput;
  readonly onChange: (value: EngineInput) => void;
  readonly result: EngineResult | undefined;
}

/** One what-if scenario: total, weights, Art. 14 rate and each holder's facts; the result beside them. */
export function ScenarioEditor({ name, value, onChange, result }: ScenarioEditorProps) {
  const t = useTranslate();
  const resultById = new Map((result?.holders ?? []).map((holder) => [holder.id, holder]));
  const setHolder = (id: string, change: Partial<EngineHolder>) =>
    onChange({
      ...value,
      holders: value.holders.map((holder) => (holder.id === id ? { ...holder, ...change } : holder)),
    });

  return (
    <div data-testid={`scenario-${name}`}>
      <Form layout="vertical">
        <Row gutter={12}>
          <Col xs={24} md={6}>
            <Form.Item label={t('allocation.total')}>
              <TonnesInput
                id={`scenario-${name}-total`}
                kg={value.total_reo_kg}
                onChange={(kg) => onChange({ ...value, total_reo_kg: kg })}
              />
            </Form.Item>
          </Col>
          {factors.map((factor) => (
            <Col xs={12} md={3} key={factor}>
              <Form.Item label={t(`factor.${factor}`)}>
                <InputNumber
                  id={`scenario-${name}-weight-${factor}`}
                  size="small"
                  min={0}
                  max={1000}
                  precision={0}
                  value={value.weights[factor]}
                  onChange={(weight) => onChange({ ...value, weights: { ...value.weights, [factor]: weight ?? 0 } })}
                />
              </Form.Item>
            </Col>
          ))}
          <Col xs={12} md={6}>
            <Form.Item label={t('plan.penaltyPercent')}>
              <InputNumber
                id={`scenario-${name}-penalty`}
                size="small"
                min={0}
                max={100}
                value={Number(ppmToPercent(value.penalty_reduction_ppm))}
                onChange={(rate) => onChange({ ...value, penalty_reduction_ppm: percentToPpm(rate ?? 0) })}
              />
            </Form.Item>
          </Col>
        </Row>
      </Form>
      <Table<EngineHolder>
        rowKey="id"
        size="small"
        pagination={false}
        scroll={{ x: 1100 }}
        dataSource={value.holders}
        columns={[
          {
            title: t('allocation.holder'),
            dataIndex: 'name',
            width: 200,
            render: (text: string | undefined, holder) => text ?? holder.id,
          },
          {
            title: t('allocation.cap'),
            key: 'cap',
            width: 150,
            render: (_value, holder) => (
              <TonnesInput kg={holder.cap_reo_kg} onChange={(kg) => setHolder(holder.id, { cap_reo_kg: kg })} />
            ),
          },
          {
            title: t('whatIf.scores'),
            key: 'scores',
            width: 190,
            render: (_value, holder) => (
              <Space.Compact size="small">
                {scoreNames.map((score) => (
                  <InputNumber
                    key={score}
                    size="small"
                    min={0}
                    max={100}
                    precision={0}
                    style={{ width: 58 }}
                    value={holder[score]}
                    onChange={(next) => setHolder(holder.id, { [score]: next ?? 0 })}
                  />
                ))}
              </Space.Compact>
            ),
          },
          {
            title: t('allocation.eligible'),
            key: 'facts',
            render: (_value, holder) => (
              <Space size={4} wrap>
                {factNames.map((fact) => (
                  <Checkbox
                    key={fact}
                    checked={holder.facts[fact]}
                    onChange={(event) =>
                      setHolder(holder.id, { facts: { ...holder.facts, [fact]: event.target.checked } })
                    }
                  >
                    {t(`fact.${fact}`)}
                  </Checkbox>
                ))}
              </Space>
            ),
          },
          {
            title: t('whatIf.penalties'),
            key: 'penalties',
            width: 90,
            render: (_value, holder) => (
              <InputNumber
                size="small"
                min={0}
                max={1000}
                precision={0}
                style={{ width: 64 }}
                value={holder.prior_year_penalties}
                onChange={(next) => setHolder(holder.id, { prior_year_penalties: next ?? 0 })}
              />
            ),
          },
          {
            title: t('whatIf.result'),
            key: 'result',
            width: 130,
            align: 'right',
            fixed: 'right',
            render: (_value, holder) => {
              const outcome = resultById.get(holder.id);
              if (!outcome) return '—';
              const text = <span className="numeric">{formatTonnes(outcome.reo_kg)}</span>;
              return outcome.eligible ? (
                text
              ) : (
                <Tooltip title={outcome.reasons.map((reason) => labelOf(t, 'reason', reason)).join('、')}>
                  {text} ✕
                </Tooltip>
              );
            },
          },
        ]}
      />
    </div>
  );
}
