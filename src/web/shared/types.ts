/**
 * The API's shapes, inferred from the shared zod contracts. Type-only imports: nothing of zod reaches
 * the browser bundle.
 */
import type { z } from 'zod';
import type { auditEntry, auditPage, auditVerification } from '../../contracts/audit.ts';
import type {
  AccountGrant,
  CurrentUser,
  GrantStatusName,
  RoleName,
  secondFactorReset,
  SessionStage,
  sessionView,
  User,
  userCreateBody,
} from '../../contracts/auth.ts';
import type { Page } from '../../contracts/common.ts';
import type {
  authority,
  department,
  designationCreateBody,
  designationRevokeBody,
  Designation,
  designationStatus,
  Division,
  Enterprise,
  EnterpriseCreate,
  EnterprisePatch,
  enterpriseKind,
  group,
  licenceKind,
  oreType,
  Product,
  productCreateBody,
  productPatchBody,
  revision,
  securityProfile,
} from '../../contracts/registry.ts';

export type {
  AccountGrant,
  CurrentUser,
  GrantStatusName,
  Designation,
  Division,
  Enterprise,
  EnterpriseCreate,
  EnterprisePatch,
  Page,
  Product,
  RoleName,
  SessionStage,
  User,
};
export type SessionView = z.infer<typeof sessionView>;
export type SecondFactorReset = z.infer<typeof secondFactorReset>;
export type Authority = z.infer<typeof authority>;
export type Department = z.infer<typeof department>;
export type Group = z.infer<typeof group>;
export type Revision = z.infer<typeof revision>;
export type EnterpriseKind = z.infer<typeof enterpriseKind>;
export type LicenceKind = z.infer<typeof licenceKind>;
export type SecurityProfile = z.infer<typeof securityProfile>;
export type DesignationStatus = z.infer<typeof designationStatus>;
export type DesignationCreate = z.infer<typeof designationCreateBody>;
export type DesignationRevoke = z.infer<typeof designationRevokeBody>;
export type OreType = z.infer<typeof oreType>;
export type ProductCreate = z.infer<typeof productCreateBody>;
export type ProductPatch = z.infer<typeof productPatchBody>;
export type ProductForm = Product['form'];
export type AuditEntry = z.infer<typeof auditEntry>;
export type AuditPage = z.infer<typeof auditPage>;
export type AuditVerification = z.infer<typeof auditVerification>;
export type UserCreate = z.input<typeof userCreateBody>;
