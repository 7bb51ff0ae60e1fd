import type { MatrixCase } from './route-matrix.ts';

/** The authorization matrix of the dashboard routes (being written); the coverage check counts them. */
export function dashboardMatrix(): MatrixCase<unknown, string>[] {
  return [];
}
