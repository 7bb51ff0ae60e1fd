import { readFile } from 'node:fs/promises';
import { engineInput } from '../contracts/allocation.ts';
import { whatIf } from '../server/modules/allocation/allocation.service.ts';
import { DomainError } from '../server/shared/errors.ts';

const tonnes = (kg: number) => (kg / 1000).toLocaleString('en-US', { maximumFractionDigits: 3 });

/** `monazite allocate --input FILE`: the engine from the command line, same schema as the what-if API. */
export async function runAllocateCommand(file: string, json: boolean): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    console.error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const parsed = engineInput.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      console.error(`${file}: ${issue.path.join('.') || '(input)'}: ${issue.message}`);
    return 2;
  }
  try {
    const result = whatIf(parsed.data);
    if (json) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    console.log(`${result.category}: ${tonnes(result.total_reo_kg)} t REO over ${result.holders.length} holders`);
    for (const holder of result.holders) {
      const note = holder.eligible
        ? `${holder.capped ? 'capped; ' : ''}${holder.penalty_reduction_reo_kg > 0 ? `Art. 14 −${tonnes(holder.penalty_reduction_reo_kg)} t` : ''}`
        : `ineligible: ${holder.reasons.join(', ')}`;
      console.log(
        `  ${holder.id.padEnd(14)} ${tonnes(holder.reo_kg).padStart(14)} t  ${(holder.name ?? '').padEnd(20)} ${note}`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof DomainError) {
      console.error(`${file}: ${error.detail}`);
      return 2;
    }
    throw error;
  }
}
