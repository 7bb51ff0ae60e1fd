import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** A database or a transaction on it: repositories take either, services decide which. */
export type Executor = Kysely<Database>;
