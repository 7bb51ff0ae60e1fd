import type { ExpressionBuilder, Expression, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Scope } from '../auth/index.ts';
import { escapeLike } from '../../shared/sql.ts';

/**
 * The one filter that limits enterprise rows to what a scope may see: applied to every enterprise list,
 * search, export and lookup, and through the enterprise to everything that belongs to one.
 */
export function enterpriseVisible(eb: ExpressionBuilder<Database, 'enterprise'>, scope: Scope): Expression<SqlBool> {
  switch (scope.kind) {
    case 'national':
      return sql<SqlBool>`true`;
    case 'division':
      return eb('enterprise.domicile_code', 'like', `${escapeLike(scope.prefix)}%`);
    case 'enterprise':
      return eb('enterprise.id', '=', scope.enterpriseId);
    case 'none':
      return sql<SqlBool>`false`;
  }
}
