/**
 * The shapes of the implementation report API (Art. 9), inferred from the shared zod contracts. Type-only
 * imports: nothing of zod reaches the browser bundle.
 */
import type { z } from 'zod';
import type {
  absentChild,
  BoardNode,
  BoardView,
  compilationDraft,
  compiledChild,
  CompilationView,
  compileBody,
  DeadlineRule,
  deadlineRuleView,
  ReconciliationView,
  reminderResult,
  reminderView,
  ReportDraft,
  ReportLevel,
  ReportLine,
  ReportStatus,
  ReportSubmitBody,
  ReportView,
  TotalLine,
} from '../../../contracts/reporting.ts';
import type { divisionDetail } from '../../../contracts/registry.ts';

export type {
  BoardNode,
  BoardView,
  CompilationView,
  DeadlineRule,
  ReconciliationView,
  ReportDraft,
  ReportLevel,
  ReportLine,
  ReportStatus,
  ReportSubmitBody,
  ReportView,
  TotalLine,
};
export type CompilationDraft = z.infer<typeof compilationDraft>;
export type CompiledChild = z.infer<typeof compiledChild>;
export type AbsentChild = z.infer<typeof absentChild>;
export type DraftAbsentChild = CompilationDraft['absent'][number];
export type ReturnedChild = CompilationDraft['returned'][number];
export type CompileBody = z.input<typeof compileBody>;
export type DeadlineRuleView = z.infer<typeof deadlineRuleView>;
export type ReminderView = z.infer<typeof reminderView>;
export type ReminderResult = z.infer<typeof reminderResult>;
export type ReconciliationRow = ReconciliationView['rows'][number];
export type ReportFigure = ReportSubmitBody['figures'][number];
export type PeriodKind = ReportView['period_kind'];

/** The nation's pseudo division code (the ministries' compilation), as the contract spells it. */
export const NATION = '000000';

/** The statuses in the order a report moves through them; typed against the contract. */
export const reportStatusList = [
  'not_due',
  'due',
  'late',
  'submitted',
  'returned',
  'compiled',
  'forwarded',
] as const satisfies readonly ReportStatus[];

export const deadlineLevelList = ['enterprise', 'county', 'prefecture', 'province'] as const satisfies readonly Exclude<
  ReportLevel,
  'nation'
>[];

export type DivisionDetail = z.infer<typeof divisionDetail>;
