import { useState } from 'react';
import { Button, Card, Flex, Tabs } from 'antd';
import { CalculatorOutlined, CopyOutlined, DiffOutlined, DownloadOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router-dom';
import { api } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import type { Comparison, EngineInput, EngineResult } from '../indicators/indicator-types.ts';
import {
  AllocationChoice,
  choiceComplete,
  choiceFromQuery,
  choiceQuery,
  useAllocatableBatches,
  type AllocationChoiceValue,
} from './allocation-choice.tsx';
import { ComparisonCard } from './comparison-card.tsx';
import { ScenarioEditor } from './scenario-editor.tsx';

type ScenarioName = 'A' | 'B';

/** 分配测算: the engine's input from the register, changed freely in two scenarios and compared. Nothing is saved. */
export function WhatIfPage() {
  const t = useTranslate();
  const [params, setParams] = useSearchParams();
  const { batches, error: batchesError } = useAllocatableBatches();
  const fromQuery = choiceFromQuery(params);
  const choice: AllocationChoiceValue = { ...fromQuery, batchId: fromQuery.batchId ?? batches[0]?.id ?? null };
  const [scenarios, setScenarios] = useState<Record<ScenarioName, EngineInput> | null>(null);
  // Remounts the editors when new input is loaded or A is copied, so their typed text starts afresh.
  const [generation, setGeneration] = useState(0);
  const [results, setResults] = useState<Partial<Record<ScenarioName, EngineResult>>>({});
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [active, setActive] = useState<ScenarioName>('A');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string | null>(null);

  const attempt = async (label: string, work: () => Promise<void>) => {
    setBusy(label);
    setError(undefined);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  };

  const load = () =>
    attempt('load', async () => {
      const input = await api.get<EngineInput>('/allocation/input', {
        batch_id: choice.batchId,
        category: choice.category,
        level: choice.level,
        group_id: choice.level === 'group' ? choice.groupId : null,
      });
      setScenarios({ A: input, B: structuredClone(input) });
      setResults({});
      setComparison(null);
      setGeneration((value) => value + 1);
    });

  const run = (name: ScenarioName) =>
    attempt(`run-${name}`, async () => {
      if (!scenarios) return;
      const result = await api.post<EngineResult>('/allocation/what-if', scenarios[name]);
      setResults((current) => ({ ...current, [name]: result }));
    });

  const compare = () =>
    attempt('compare', async () => {
      if (!scenarios) return;
      const answer = await api.post<Comparison>('/allocation/compare', { a: scenarios.A, b: scenarios.B });
      setComparison(answer);
      setResults({ A: answer.a, B: answer.b });
    });

  const editor = (name: ScenarioName) =>
    scenarios ? (
      <>
        <Flex gap={8} style={{ marginBottom: 12 }}>
          <Button icon={<CalculatorOutlined />} loading={busy === `run-${name}`} onClick={() => void run(name)}>
            {t('whatIf.run')}
          </Button>
          {name === 'B' ? (
            <Button
              icon={<CopyOutlined />}
              onClick={() => {
                setScenarios({ A: scenarios.A, B: structuredClone(scenarios.A) });
                setGeneration((value) => value + 1);
              }}
            >
              {t('whatIf.copy')}
            </Button>
          ) : null}
        </Flex>
        <ScenarioEditor
          key={`${name}-${generation}`}
          name={name}
          value={scenarios[name]}
          onChange={(next) => setScenarios({ ...scenarios, [name]: next })}
          result={results[name]}
        />
      </>
    ) : null;

  return (
    <>
      <PageHeader title={t('whatIf.title')} subtitle={t('whatIf.subtitle')} />
      <ProblemAlert error={batchesError ?? error} />
      <Card style={{ marginBottom: 16 }}>
        <AllocationChoice
          batches={batches}
          value={choice}
          onChange={(next) => setParams(choiceQuery(next), { replace: true })}
        />
        <Flex gap={8}>
          <Button
            type="primary"
            icon={<DownloadOutlined />}
            disabled={!choiceComplete(choice)}
            loading={busy === 'load'}
            onClick={() => void load()}
          >
            {t('whatIf.load')}
          </Button>
          <Button
            icon={<DiffOutlined />}
            disabled={!scenarios}
            loading={busy === 'compare'}
            onClick={() => void compare()}
          >
            {t('whatIf.compare')}
          </Button>
        </Flex>
      </Card>
      {scenarios ? (
        <Card>
          <Tabs
            activeKey={active}
            onChange={(key) => setActive(key as ScenarioName)}
            items={(['A', 'B'] as const).map((name) => ({
              key: name,
              label: t('whatIf.scenario', { name }),
              children: editor(name),
            }))}
          />
        </Card>
      ) : null}
      {comparison ? <ComparisonCard comparison={comparison} /> : null}
    </>
  );
}
