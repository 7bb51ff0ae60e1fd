// Types of scripts/system-packages.mjs, for the test run's global setup and the README test.
export interface SystemPackage {
  readonly name: string;
  readonly command?: string;
  readonly font?: string;
  readonly for: string;
  readonly fallback?: string;
  readonly onlyWith?: string;
}
export const systemPackages: readonly SystemPackage[];
export const aptLine: string;
export function missingSystemPackages(env?: NodeJS.ProcessEnv): SystemPackage[];
export function systemPackageProblem(env?: NodeJS.ProcessEnv): string | null;
