/** Pure helpers of traceability: paths through the lineage graph. */

export interface WeightedEdge {
  readonly from: number;
  readonly to: number;
  readonly reoKg: number;
}

/**
 * Paths from `start` to every node reachable over `edges`, preferring at each step the heaviest edge
 * (the route that carried the most REO). Breadth-first, so each node's path is also a shortest one.
 */
export function pathsFrom(start: number, edges: readonly WeightedEdge[]): Map<number, number[]> {
  const next = new Map<number, WeightedEdge[]>();
  for (const edge of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge]);
  for (const list of next.values()) list.sort((a, b) => b.reoKg - a.reoKg || a.to - b.to);
  const paths = new Map<number, number[]>([[start, [start]]]);
  const queue = [start];
  for (let index = 0; index < queue.length; index += 1) {
    const node = queue[index]!;
    for (const edge of next.get(node) ?? []) {
      if (paths.has(edge.to)) continue;
      paths.set(edge.to, [...paths.get(node)!, edge.to]);
      queue.push(edge.to);
    }
  }
  return paths;
}

/** A share in ppm, rounded half up (display only: the kg are the exact figure). */
export function shareOfPpm(part: number, whole: number): number {
  if (whole === 0) return 0;
  return Number((BigInt(part) * 1_000_000n * 2n + BigInt(whole)) / (2n * BigInt(whole)));
}
