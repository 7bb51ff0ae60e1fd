import { z } from 'zod';

// A missing field says so plainly, instead of "expected string, received undefined".
z.config({
  customError: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
});

/** Page limits: every list is paged, and no page is larger than this. */
export const MAX_PAGE_SIZE = 200;

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
});
export type PageQuery = z.infer<typeof pageQuery>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    page_size: z.number().int(),
  });
}
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

/** An integer quantity in kg: never a float, never beyond what a JSON number holds exactly. */
export const kg = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const isoDate = z.iso.date();
export const divisionCode = z.string().regex(/^[0-9]{6}$/, 'must be a 6-digit administrative division code');
export const uuid = z.uuid();

/** RFC 9457 problem details, with field-level errors. */
export const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  instance: z.string().optional(),
  errors: z
    .array(
      z.object({
        field: z.string(),
        message: z.string(),
        row: z.number().int().optional(),
        event_id: z.string().optional(),
      }),
    )
    .optional(),
  /** The values the code refers to (e.g. `{ limit, max }` of a limit passed). */
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type Problem = z.infer<typeof problem>;

export const idParam = z.object({ id: uuid });
