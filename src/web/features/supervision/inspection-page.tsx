import { useState } from 'react';
import {
  App as AntApp,
  Button,
  Card,
  Col,
  Descriptions,
  Flex,
  Form,
  Input,
  Row,
  Select,
  Table,
  Tag,
  Typography,
} from 'antd';
import { ExceptionOutlined, TeamOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../../shared/api.ts';
import { todayInChina } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import type { Page } from '../../shared/types.ts';
import { useCurrentUser } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { EvidenceCard } from './evidence-card.tsx';
import {
  InspectionStatusTag,
  WriteProblem,
  OutcomeTag,
  TransitionsTimeline,
  useSupervisionWriter,
  ViolationTypeLabel,
} from './supervision-labels.tsx';
import {
  inspectionOutcomeList,
  type BasisItem,
  type InspectionDetail,
  type InspectionOutcome,
  type ViolationView,
} from './supervision-types.ts';
import { useSupervisionSubmit } from './use-submit.ts';
import { ReassignModal } from './reassign-modal.tsx';
import { ViolationModal } from './violation-modal.tsx';

/** The risk reasons the plan rests on, as they stood when it was planned. */
function BasisList({ basis }: { readonly basis: readonly BasisItem[] }) {
  const t = useTranslate();
  return (
    <Flex vertical gap={12} data-testid="inspection-basis">
      {basis.map((item, index) =>
        item.kind === 'anomaly' ? (
          <Flex key={item.anomaly_id} vertical gap={2}>
            <Flex gap={4} wrap>
              <Tag color="orange">{labelOf(t, 'anomalyRule', item.rule)}</Tag>
              <Typography.Text className="numeric">{item.period}</Typography.Text>
            </Flex>
            <Typography.Text>{item.summary}</Typography.Text>
          </Flex>
        ) : (
          <Flex key={`note-${index}`} gap={4}>
            <Tag>{t('inspections.note')}</Tag>
            <Typography.Text>{item.text}</Typography.Text>
          </Flex>
        ),
      )}
    </Flex>
  );
}

interface VisitValues {
  visited_on: string;
  findings: string;
  outcome?: InspectionOutcome;
}

/** 记录检查结果: once, against the version read; a 409 says someone recorded or changed it meanwhile. */
function VisitForm({ inspection, onSaved }: { readonly inspection: InspectionDetail; readonly onSaved: () => void }) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<VisitValues>();
  const { submit, error, saving } = useSupervisionSubmit(form, 'visit');

  const send = async (values: VisitValues) => {
    const saved = await submit(() =>
      api.post<InspectionDetail>(`/supervision/inspections/${inspection.id}/visit`, {
        expected_version: inspection.version,
        visited_on: values.visited_on,
        findings: values.findings.trim(),
        outcome: values.outcome,
      }),
    );
    if (saved) {
      void message.success(t('inspection.visitSaved'));
      onSaved();
    }
  };

  return (
    <Card title={t('inspection.visit')} style={{ marginBottom: 16 }} data-testid="visit-card">
      <WriteProblem error={error} action={<Button onClick={onSaved}>{t('supervision.reload')}</Button>} />
      <Form<VisitValues>
        form={form}
        layout="vertical"
        initialValues={{
          visited_on: todayInChina() < inspection.planned_on ? inspection.planned_on : todayInChina(),
          findings: '',
        }}
        onFinish={(values) => void send(values)}
      >
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item
              name="visited_on"
              label={t('inspections.visitedOn')}
              rules={[{ required: true, message: t('common.required') }]}
            >
              <Input type="date" id="visit-date" />
            </Form.Item>
          </Col>
          <Col xs={24} md={16}>
            <Form.Item
              name="outcome"
              label={t('inspections.outcome')}
              rules={[{ required: true, message: t('common.required') }]}
            >
              <Select<InspectionOutcome>
                id="visit-outcome"
                options={inspectionOutcomeList.map((value) => ({ value, label: t(`inspectionOutcome.${value}`) }))}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="findings"
          label={t('inspections.findings')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input.TextArea
            id="visit-findings"
            rows={4}
            maxLength={10_000}
            placeholder={t('inspection.findingsPlaceholder')}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={saving} data-testid="visit-submit">
          {t('inspection.visit')}
        </Button>
      </Form>
    </Card>
  );
}

/** The violations recorded from this inspection (found among the enterprise's). */
function InspectionViolations({ inspection }: { readonly inspection: InspectionDetail }) {
  const t = useTranslate();
  const violations = useApi<Page<ViolationView>>('/supervision/violations', {
    enterprise_id: inspection.enterprise_id,
    page_size: 200,
  });
  const mine = (violations.data?.items ?? []).filter((item) => item.inspection_id === inspection.id);
  if (mine.length === 0) return null;
  return (
    <Card title={t('inspection.violations')} style={{ marginBottom: 16 }}>
      <ProblemAlert error={violations.error} />
      <Table<ViolationView>
        rowKey="id"
        size="small"
        data-testid="inspection-violations"
        pagination={false}
        dataSource={mine}
        columns={[
          {
            title: t('violations.type'),
            dataIndex: 'type',
            render: (_type: string, violation) => (
              <Link to={`/supervision/violations/${violation.id}`}>
                <ViolationTypeLabel violation={violation} />
              </Link>
            ),
          },
          { title: t('violations.description'), dataIndex: 'description', ellipsis: true },
          { title: t('violations.foundOn'), dataIndex: 'found_on' },
        ]}
      />
    </Card>
  );
}

/** The plan is its department's: that department, at its division or above, reassigns it. */
function mayReassign(
  user: { division_code: string | null; department: string | null },
  inspection: InspectionDetail,
): boolean {
  const own = user.division_code ?? '000000';
  const prefix =
    own === '000000' ? '' : own.endsWith('0000') ? own.slice(0, 2) : own.endsWith('00') ? own.slice(0, 4) : own;
  return user.department === inspection.department && inspection.division_code.startsWith(prefix);
}

/** 检查详情: the basis, the officials assigned, the visit, the evidence files, the history. */
export function InspectionPage() {
  const t = useTranslate();
  const navigate = useNavigate();
  const { id = '' } = useParams();
  const writer = useSupervisionWriter();
  const user = useCurrentUser();
  const inspection = useApi<InspectionDetail>(`/supervision/inspections/${id}`);
  const [recording, setRecording] = useState(false);
  const [reassigning, setReassigning] = useState(false);
  const view = inspection.data?.id === id ? inspection.data : undefined;

  return (
    <>
      <PageHeader
        title={view ? t('inspection.title', { name: view.enterprise_name }) : t('inspections.title')}
        subtitle={
          view ? (
            <Flex gap={4} component="span">
              <InspectionStatusTag status={view.status} />
              <OutcomeTag outcome={view.outcome} />
            </Flex>
          ) : null
        }
        extra={
          view && writer && view.status === 'planned' && mayReassign(user, view) ? (
            <Button icon={<TeamOutlined />} data-testid="reassign" onClick={() => setReassigning(true)}>
              {t('reassign.open')}
            </Button>
          ) : view && writer && view.status === 'visited' && view.outcome !== 'no_violation' ? (
            <Button
              type="primary"
              danger
              icon={<ExceptionOutlined />}
              data-testid="record-violation"
              onClick={() => setRecording(true)}
            >
              {t('inspection.recordViolation')}
            </Button>
          ) : null
        }
      />
      <ProblemAlert error={inspection.error} />
      {view ? (
        <>
          <Card style={{ marginBottom: 16 }}>
            <Descriptions
              size="small"
              column={{ xs: 1, md: 2, xl: 3 }}
              data-testid="inspection-facts"
              items={[
                {
                  key: 'enterprise',
                  label: t('supervision.enterprise'),
                  children: <Link to={`/enterprises/${view.enterprise_id}`}>{view.enterprise_name}</Link>,
                },
                {
                  key: 'planned',
                  label: t('inspections.plannedOn'),
                  children: <span className="numeric">{view.planned_on}</span>,
                },
                {
                  key: 'department',
                  label: t('supervision.department'),
                  children: `${view.division_code} · ${t(`department.${view.department}`)}`,
                },
                { key: 'inspectors', label: t('inspections.inspectors'), children: view.inspectors.join('、') },
                { key: 'by', label: t('supervision.createdBy'), children: view.created_by },
                { key: 'version', label: t('inspection.version', { version: '' }).trim(), children: view.version },
                { key: 'purpose', label: t('inspections.purpose'), span: 'filled', children: view.purpose },
                ...(view.status === 'visited'
                  ? [
                      {
                        key: 'visited',
                        label: t('inspections.visitedOn'),
                        children: <span className="numeric">{view.visited_on}</span>,
                      },
                      {
                        key: 'outcome',
                        label: t('inspections.outcome'),
                        children: <OutcomeTag outcome={view.outcome} />,
                      },
                      {
                        key: 'findings',
                        label: t('inspections.findings'),
                        span: 'filled' as const,
                        children: view.findings,
                      },
                    ]
                  : []),
              ]}
            />
          </Card>
          <Row gutter={16}>
            <Col xs={24} xl={14}>
              <Card title={t('inspections.basis')} style={{ marginBottom: 16 }}>
                <BasisList basis={view.basis} />
              </Card>
            </Col>
            <Col xs={24} xl={10}>
              <Card title={t('supervision.history')} style={{ marginBottom: 16 }}>
                <TransitionsTimeline transitions={view.transitions} />
              </Card>
            </Col>
          </Row>
          {writer && view.status === 'planned' ? <VisitForm inspection={view} onSaved={inspection.reload} /> : null}
          <EvidenceCard
            inspectionId={view.id}
            evidence={view.evidence}
            writable={writer}
            onUploaded={inspection.reload}
          />
          <InspectionViolations inspection={view} />
        </>
      ) : inspection.error ? null : (
        <Card loading />
      )}
      {reassigning && view ? (
        <ReassignModal
          inspection={view}
          onClose={() => setReassigning(false)}
          onDone={() => {
            setReassigning(false);
            inspection.reload();
          }}
        />
      ) : null}
      {recording && view ? (
        <ViolationModal
          source={{
            enterprise_id: view.enterprise_id,
            enterprise_name: view.enterprise_name,
            inspection_id: view.id,
            basis: view.basis,
            found_on: view.visited_on,
            description: view.findings,
          }}
          onClose={() => setRecording(false)}
          onRecorded={(violation) => void navigate(`/supervision/violations/${violation.id}`)}
        />
      ) : null}
    </>
  );
}
