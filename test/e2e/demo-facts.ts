import { demoEnterprises, demoProducts, demoUsers } from '../../src/server/demo/demo-data.ts';
import { formatTonnes } from '../../src/web/shared/format.ts';

/**
 * What the browser should show, derived from the demo data rather than copied from it, so the demo can
 * grow without these tests going stale.
 */
function enterprise(key: string) {
  const found = demoEnterprises.find((item) => item.key === key);
  if (!found) throw new Error(`demo data has no enterprise "${key}"`);
  return found;
}

const designationCount = demoEnterprises.reduce((sum, item) => sum + Object.keys(item.designation).length, 0);
const baotou = demoEnterprises.filter((item) => item.domicile_code.startsWith('1502'));
const bayan = enterprise('bayan');

export const demo = {
  enterpriseCount: demoEnterprises.length,
  designationCount,
  productCount: demoProducts.length,
  userCount: demoUsers.length,
  baotouNames: baotou.map((item) => item.name).sort(),
  bayan: {
    name: bayan.name,
    creditCode: bayan.credit_code,
    responsible: bayan.security_profile.responsible_person,
    miningDocument: bayan.designation.mining ?? '',
    licenceCount: bayan.licences.length,
    /** As the detail page shows it: tonnes with separators and the unit. */
    miningCapacityText: `${formatTonnes(bayan.mining_capacity_reo_kg_per_year)} 吨 REO/年`,
  },
  weishan: enterprise('weishan'),
  lincang: enterprise('lincang'),
};
