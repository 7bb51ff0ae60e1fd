/** The national and jurisdiction dashboards (being written). */
export function DashboardPage() {
  return null;
}
