import type { MatrixCase } from './route-matrix.ts';

/** The authorization matrix of the report export routes (being written); the coverage check counts them. */
export function reportingExportsMatrix(): MatrixCase<unknown, string>[] {
  return [];
}
