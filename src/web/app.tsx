import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { AllocationPage } from './features/allocation/allocation-page.tsx';
import { ManualAllocationPage } from './features/allocation/manual-allocation-page.tsx';
import { NoticesPage } from './features/allocation/notices-page.tsx';
import { RunPage } from './features/allocation/run-page.tsx';
import { WhatIfPage } from './features/allocation/what-if-page.tsx';
import { AnomaliesPage } from './features/anomalies/anomalies-page.tsx';
import { AuditPage } from './features/audit/audit-page.tsx';
import { OversightPage } from './features/oversight/oversight-page.tsx';
import { DashboardPage } from './features/dashboard/dashboard-page.tsx';
import { LoginPage } from './features/auth/login-page.tsx';
import { DeclarationBoardPage } from './features/flows/declaration-board-page.tsx';
import { DeclarationsPage } from './features/flows/declarations-page.tsx';
import { FlowUploadPage } from './features/flows/flow-upload-page.tsx';
import { FlowsPage } from './features/flows/flows-page.tsx';
import { HomePage } from './features/home/home-page.tsx';
import { PlanPage } from './features/indicators/plan-page.tsx';
import { PlansPage } from './features/indicators/plans-page.tsx';
import { EnterpriseQuotaPage, OwnQuotaPage } from './features/quota/quota-page.tsx';
import { BoardPage } from './features/reporting/board-page.tsx';
import { CompilationPage, OwnCompilationRedirect } from './features/reporting/compilation-page.tsx';
import { DeadlinesPage } from './features/reporting/deadlines-page.tsx';
import { ReconciliationPage } from './features/reporting/reconciliation-page.tsx';
import { ReportDetailPage } from './features/reporting/report-detail-page.tsx';
import { ReportPage } from './features/reporting/report-page.tsx';
import { RequireOfficial } from './features/reporting/require-official.tsx';
import { DesignationsPage } from './features/registry/designations-page.tsx';
import { AnnualReportPage, AnnualReportsPage } from './features/supervision/annual-report-page.tsx';
import { DecisionPage } from './features/supervision/decision-page.tsx';
import { DecisionsPage } from './features/supervision/decisions-page.tsx';
import { InspectionPage } from './features/supervision/inspection-page.tsx';
import { InspectionsPage } from './features/supervision/inspections-page.tsx';
import { ReportedPage } from './features/supervision/reported-page.tsx';
import { RiskPage } from './features/supervision/risk-page.tsx';
import { SupervisionHomePage } from './features/supervision/supervision-home-page.tsx';
import { ViolationPage } from './features/supervision/violation-page.tsx';
import { ViolationsPage } from './features/supervision/violations-page.tsx';
import { DivisionsPage } from './features/registry/divisions-page.tsx';
import { EnterpriseDetailPage } from './features/registry/enterprise-detail-page.tsx';
import { EnterpriseEditPage } from './features/registry/enterprise-edit-page.tsx';
import { EnterprisesPage } from './features/registry/enterprises-page.tsx';
import { ProductsPage } from './features/registry/products-page.tsx';
import { CertificatePage } from './features/trace/certificate-page.tsx';
import { TracePage } from './features/trace/trace-page.tsx';
import { VerifyPage } from './features/trace/verify-page.tsx';
import { GrantsPage } from './features/auth/grants-page.tsx';
import { SecurityPage } from './features/security/security-page.tsx';
import { StepUpDialog } from './features/security/step-up-dialog.tsx';
import { UsersPage } from './features/auth/users-page.tsx';
import { useLanguage } from './shared/i18n.ts';
import { AppLayout } from './shared/layout.tsx';
import { NotFoundPage, RequirePermission } from './shared/guards.tsx';
import { isFullySignedIn, SessionProvider, useSession } from './shared/session.tsx';
import { colours, fontFamily } from './shared/theme.ts';

/**
 * Everything behind sign-in; a visitor without a session is sent to the login page and brought back. So is a
 * session that has given its password only: the login page takes it through the step still due (the one-time
 * code, the enrolment of an authenticator, a new password).
 */
function SignedIn() {
  const { user } = useSession();
  const location = useLocation();
  if (user === undefined) return <Spin size="large" fullscreen />;
  if (!isFullySignedIn(user))
    return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return <AppLayout />;
}

function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      {/* The public check of a provenance certificate: whoever scans its QR code, signed in or not. */}
      <Route path="/verify/:code" element={<VerifyPage />} />
      <Route element={<SignedIn />}>
        <Route index element={<HomePage />} />
        <Route path="account/security" element={<SecurityPage />} />
        <Route
          path="divisions"
          element={
            <RequirePermission permission="reference.read">
              <DivisionsPage />
            </RequirePermission>
          }
        />
        <Route
          path="enterprises"
          element={
            <RequirePermission permission="enterprise.read">
              <EnterprisesPage />
            </RequirePermission>
          }
        />
        <Route
          path="enterprises/new"
          element={
            <RequirePermission permission="enterprise.write">
              <EnterpriseEditPage />
            </RequirePermission>
          }
        />
        <Route
          path="enterprises/:id"
          element={
            <RequirePermission permission="enterprise.read">
              <EnterpriseDetailPage />
            </RequirePermission>
          }
        />
        <Route
          path="enterprises/:id/edit"
          element={
            <RequirePermission permission="enterprise.write">
              <EnterpriseEditPage />
            </RequirePermission>
          }
        />
        <Route
          path="designations"
          element={
            <RequirePermission permission="designation.read">
              <DesignationsPage />
            </RequirePermission>
          }
        />
        <Route
          path="products"
          element={
            <RequirePermission permission="reference.read">
              <ProductsPage />
            </RequirePermission>
          }
        />
        <Route
          path="audit"
          element={
            <RequirePermission permission="audit.read">
              <AuditPage />
            </RequirePermission>
          }
        />
        <Route
          path="oversight"
          element={
            <RequirePermission permission="oversight.read">
              <OversightPage />
            </RequirePermission>
          }
        />
        <Route
          path="users"
          element={
            <RequirePermission permission="user.manage">
              <UsersPage />
            </RequirePermission>
          }
        />
        <Route
          path="account-grants"
          element={
            <RequirePermission permission="account.approve">
              <GrantsPage />
            </RequirePermission>
          }
        />
        <Route
          path="indicators"
          element={
            <RequirePermission permission="indicator.read">
              <PlansPage />
            </RequirePermission>
          }
        />
        <Route
          path="indicators/:year"
          element={
            <RequirePermission permission="indicator.read">
              <PlanPage />
            </RequirePermission>
          }
        />
        <Route
          path="allocation"
          element={
            <RequirePermission permission="allocation.read">
              <AllocationPage />
            </RequirePermission>
          }
        />
        <Route
          path="allocation/manual"
          element={
            <RequirePermission permission="allocation.write">
              <ManualAllocationPage />
            </RequirePermission>
          }
        />
        <Route
          path="allocation/what-if"
          element={
            <RequirePermission permission="allocation.write">
              <WhatIfPage />
            </RequirePermission>
          }
        />
        <Route
          path="allocation/runs/:id"
          element={
            <RequirePermission permission="allocation.read">
              <RunPage />
            </RequirePermission>
          }
        />
        <Route
          path="notices"
          element={
            <RequirePermission permission="notice.read">
              <NoticesPage />
            </RequirePermission>
          }
        />
        <Route
          path="quota"
          element={
            <RequirePermission permission="ledger.read">
              <OwnQuotaPage />
            </RequirePermission>
          }
        />
        <Route
          path="enterprises/:id/quota"
          element={
            <RequirePermission permission="ledger.read">
              <EnterpriseQuotaPage />
            </RequirePermission>
          }
        />
        <Route
          path="flows"
          element={
            <RequirePermission permission="flow.read">
              <FlowsPage />
            </RequirePermission>
          }
        />
        <Route
          path="flows/upload"
          element={
            <RequirePermission permission="flow.write">
              <FlowUploadPage />
            </RequirePermission>
          }
        />
        <Route
          path="declarations"
          element={
            <RequirePermission permission="flow.read">
              <DeclarationsPage />
            </RequirePermission>
          }
        />
        <Route
          path="declarations/board"
          element={
            <RequirePermission permission="flow.read">
              <DeclarationBoardPage />
            </RequirePermission>
          }
        />
        <Route
          path="trace"
          element={
            <RequirePermission permission="flow.read">
              <TracePage />
            </RequirePermission>
          }
        />
        <Route
          path="certificates/:code"
          element={
            <RequirePermission permission="flow.read">
              <CertificatePage />
            </RequirePermission>
          }
        />
        <Route
          path="anomalies"
          element={
            <RequirePermission permission="anomaly.read">
              <AnomaliesPage />
            </RequirePermission>
          }
        />
        <Route
          path="dashboard"
          element={
            <RequireOfficial permission="report.read">
              <DashboardPage />
            </RequireOfficial>
          }
        />
        <Route
          path="reports"
          element={
            <RequirePermission permission="report.read">
              <ReportPage />
            </RequirePermission>
          }
        />
        <Route
          path="reports/:id"
          element={
            <RequirePermission permission="report.read">
              <ReportDetailPage />
            </RequirePermission>
          }
        />
        <Route
          path="compilations"
          element={
            <RequireOfficial permission="report.read">
              <OwnCompilationRedirect />
            </RequireOfficial>
          }
        />
        <Route
          path="compilations/:code/:period"
          element={
            <RequireOfficial permission="report.read">
              <CompilationPage />
            </RequireOfficial>
          }
        />
        <Route
          path="reporting/board"
          element={
            <RequireOfficial permission="report.read">
              <BoardPage />
            </RequireOfficial>
          }
        />
        <Route
          path="reporting/reconciliation"
          element={
            <RequireOfficial permission="report.read">
              <ReconciliationPage />
            </RequireOfficial>
          }
        />
        <Route
          path="reporting/deadlines"
          element={
            <RequirePermission permission="report.read">
              <DeadlinesPage />
            </RequirePermission>
          }
        />
        <Route
          path="supervision"
          element={
            <RequirePermission permission="supervision.read">
              <SupervisionHomePage />
            </RequirePermission>
          }
        />
        <Route
          path="supervision/inspections"
          element={
            <RequirePermission permission="supervision.read">
              <InspectionsPage />
            </RequirePermission>
          }
        />
        <Route
          path="supervision/inspections/:id"
          element={
            <RequirePermission permission="supervision.read">
              <InspectionPage />
            </RequirePermission>
          }
        />
        <Route
          path="supervision/violations"
          element={
            <RequirePermission permission="supervision.read">
              <ViolationsPage />
            </RequirePermission>
          }
        />
        <Route
          path="supervision/violations/:id"
          element={
            <RequirePermission permission="supervision.read">
              <ViolationPage />
            </RequirePermission>
          }
        />
        <Route
          path="supervision/decisions"
          element={
            <RequirePermission permission="supervision.read">
              <DecisionsPage />
            </RequirePermission>
          }
        />
        <Route
          path="supervision/decisions/:id"
          element={
            <RequirePermission permission="supervision.read">
              <DecisionPage />
            </RequirePermission>
          }
        />
        <Route
          path="supervision/reported"
          element={
            <RequireOfficial permission="supervision.read">
              <ReportedPage />
            </RequireOfficial>
          }
        />
        <Route
          path="supervision/risk"
          element={
            <RequireOfficial permission="supervision.read">
              <RiskPage />
            </RequireOfficial>
          }
        />
        <Route
          path="supervision/annual-reports"
          element={
            <RequireOfficial permission="supervision.read">
              <AnnualReportsPage />
            </RequireOfficial>
          }
        />
        <Route
          path="supervision/annual-reports/:province/:year"
          element={
            <RequireOfficial permission="supervision.read">
              <AnnualReportPage />
            </RequireOfficial>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

/** A reader who asked the system for less motion (an accessibility setting) gets no animations at all. */
const reducedMotion =
  typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

export function App() {
  const language = useLanguage();
  return (
    <ConfigProvider
      locale={language === 'zh' ? zhCN : enUS}
      theme={{ token: { colorPrimary: colours.primary, borderRadius: 6, fontFamily, motion: !reducedMotion } }}
    >
      <AntApp>
        <SessionProvider>
          <StepUpDialog />
          <BrowserRouter>
            <AppRoutes />
          </BrowserRouter>
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
  );
}
