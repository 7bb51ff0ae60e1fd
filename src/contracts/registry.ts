import { z } from 'zod';
import { checkCreditCode } from './credit-code.rules.ts';
import { divisionCode, isoDate, kg, pageQuery, uuid } from './common.ts';

export const divisionLevel = z.enum(['province', 'prefecture', 'county']);
export const division = z.object({
  code: z.string(),
  name: z.string(),
  level: divisionLevel,
  parent_code: z.string().nullable(),
  has_children: z.boolean(),
});
export type Division = z.infer<typeof division>;
export const divisionDetail = division.extend({
  /** From the province down to this division. */
  path: z.array(z.object({ code: z.string(), name: z.string(), level: divisionLevel })),
});
export const divisionQuery = z.strictObject({
  parent: divisionCode.optional(),
  q: z.string().trim().min(1).max(50).optional(),
  level: divisionLevel.optional(),
});

export const department = z.enum(['industry_it', 'natural_resources', 'development_reform']);
export const authority = z.object({
  id: z.string(),
  department,
  division_code: z.string().nullable(),
  name: z.string(),
});
export const authorityQuery = z.strictObject({ division: divisionCode.optional() });

export const group = z.object({ id: z.string(), name: z.string(), enterprise_count: z.number().int() });
export const groupCreateBody = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{2,40}$/, 'use 2–40 lower-case letters, digits or hyphens'),
  name: z.string().trim().min(2).max(100),
});

export const creditCode = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((value, context) => {
    const problem = checkCreditCode(value);
    if (problem)
      context.addIssue({ code: 'custom', message: `invalid unified social credit code: ${problem.message}` });
  });

export const enterpriseKind = z.enum(['mining', 'separation', 'both']);
export const licenceKind = z.enum(['mining', 'safety', 'discharge']);
export const licence = z
  .strictObject({
    kind: licenceKind,
    number: z.string().trim().min(1).max(64),
    valid_from: isoDate,
    valid_to: isoDate,
  })
  .refine((value) => value.valid_to >= value.valid_from, {
    message: 'valid_to must not be before valid_from',
    path: ['valid_to'],
  });
export const securityProfile = z.strictObject({
  responsible_person: z.string().trim().min(1).max(50),
  /** Classified protection level (等级保护), 1–5. */
  protection_level: z.number().int().min(1).max(5),
  last_assessment_on: isoDate.nullable(),
});
const score = z.number().int().min(0).max(100);

const enterpriseFields = {
  name: z.string().trim().min(2).max(200),
  kind: enterpriseKind,
  domicile_code: divisionCode,
  group_id: z.string().nullable(),
  mining_capacity_reo_kg_per_year: kg,
  separation_capacity_reo_kg_per_year: kg,
  technical_score: score,
  environment_score: score,
  safety_score: score,
  licences: z.array(licence).max(50),
  security_profile: securityProfile,
};

export const enterpriseCreateBody = z.strictObject({ credit_code: creditCode, ...enterpriseFields });
export type EnterpriseCreate = z.infer<typeof enterpriseCreateBody>;

export const enterprisePatchBody = z.strictObject({
  /** The version the change was made against; a stale one is refused (409) instead of overwriting. */
  expected_version: z.number().int().min(1),
  ...z.object(enterpriseFields).partial().shape,
});
export type EnterprisePatch = z.infer<typeof enterprisePatchBody>;

export const securityProfilePatchBody = z.strictObject({
  expected_version: z.number().int().min(1),
  security_profile: securityProfile,
});

export const designationStatus = z.enum(['active', 'pending', 'revoked']);
export const enterprise = z.object({
  id: uuid,
  credit_code: z.string(),
  name: z.string(),
  kind: enterpriseKind,
  domicile_code: z.string(),
  domicile_name: z.string(),
  group_id: z.string().nullable(),
  group_name: z.string().nullable(),
  mining_capacity_reo_kg_per_year: kg,
  separation_capacity_reo_kg_per_year: kg,
  technical_score: score,
  environment_score: score,
  safety_score: score,
  licences: z.array(z.object({ kind: licenceKind, number: z.string(), valid_from: z.string(), valid_to: z.string() })),
  security_profile: z.object({
    responsible_person: z.string(),
    protection_level: z.number().int(),
    last_assessment_on: z.string().nullable(),
  }),
  designated_scopes: z.array(z.enum(['mining', 'separation'])),
  version: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Enterprise = z.infer<typeof enterprise>;

export const enterpriseQuery = pageQuery.extend({
  q: z.string().trim().min(1).max(100).optional(),
  kind: enterpriseKind.optional(),
  division: divisionCode.optional(),
  group_id: z.string().optional(),
});
export type EnterpriseQuery = z.infer<typeof enterpriseQuery>;

export const revision = z.object({
  version: z.number().int(),
  data: z.unknown(),
  changed_by: z.string(),
  /** Who made the change, as a person reads it (display name, or "system"). */
  changed_by_name: z.string(),
  changed_at: z.string(),
});

export const designationScope = z.enum(['mining', 'separation']);
export const designationCreateBody = z.strictObject({
  enterprise_id: uuid,
  scope: designationScope,
  document_no: z.string().trim().min(1).max(100),
  effective_on: isoDate,
});
export const designationRevokeBody = z.strictObject({
  revoked_on: isoDate,
  revocation_document_no: z.string().trim().min(1).max(100),
  reason: z.string().trim().min(1).max(500),
});
export const designation = z.object({
  id: uuid,
  enterprise_id: uuid,
  enterprise_name: z.string(),
  credit_code: z.string(),
  scope: designationScope,
  document_no: z.string(),
  effective_on: z.string(),
  revoked_on: z.string().nullable(),
  revocation_document_no: z.string().nullable(),
  revocation_reason: z.string().nullable(),
  status: designationStatus,
  created_at: z.string(),
});
export type Designation = z.infer<typeof designation>;
export const designationQuery = pageQuery.extend({
  enterprise_id: uuid.optional(),
  scope: designationScope.optional(),
  status: designationStatus.optional(),
});

export const productCategory = z.enum(['mineral', 'separated']);
export const oreType = z.enum(['rock', 'ion_adsorption', 'mixed', 'imported', 'monazite']);
export const conversion = z.enum(['assay', 'factor']);
const productFields = {
  name_zh: z.string().trim().min(1).max(100),
  name_en: z.string().trim().min(1).max(100),
  category: productCategory,
  form: z.enum(['ore', 'concentrate', 'leachate', 'carbonate', 'oxide', 'salt', 'metal', 'other']),
  ore_type: oreType.nullable(),
  conversion,
  /** REO kg per kg of product, in parts per million; only for `factor` conversion. */
  reo_factor_ppm: z.number().int().min(1).max(2_000_000).nullable(),
};
const factorMatchesConversion = (value: {
  conversion?: string | undefined;
  reo_factor_ppm?: number | null | undefined;
}) => value.conversion === undefined || (value.conversion === 'factor') === (value.reo_factor_ppm != null);
const factorMessage = {
  message: 'reo_factor_ppm is required for factor conversion and must be null for assay conversion',
  path: ['reo_factor_ppm'],
};
export const productCreateBody = z
  .strictObject({
    code: z.string().regex(/^[A-Z0-9_]{2,32}$/, 'use 2–32 capital letters, digits or underscores'),
    ...productFields,
  })
  .refine(factorMatchesConversion, factorMessage);
export const productPatchBody = z
  .strictObject({
    expected_version: z.number().int().min(1),
    ...z.object(productFields).partial().shape,
    active: z.boolean().optional(),
  })
  .refine(factorMatchesConversion, factorMessage);
export const product = z.object({
  code: z.string(),
  ...productFields,
  active: z.boolean(),
  version: z.number().int(),
});
export type Product = z.infer<typeof product>;
export const productQuery = pageQuery.extend({
  q: z.string().trim().min(1).max(100).optional(),
  category: productCategory.optional(),
  active: z.enum(['true', 'false']).optional(),
});
