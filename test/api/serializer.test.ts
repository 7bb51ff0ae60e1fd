import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { traceBack } from '../../src/contracts/trace.ts';
import { responseSchemaOf, serializerCompiler } from '../../src/server/shared/serializer.ts';

const contractsDir = fileURLToPath(new URL('../../src/contracts/', import.meta.url));

/** The kinds of zod schema found anywhere inside `schema`. */
function kindsWithin(schema: z.ZodType): Set<string> {
  const kinds = new Set<string>();
  z.toJSONSchema(schema, {
    io: 'output',
    unrepresentable: 'any',
    override: (context) => void kinds.add(context.zodSchema._zod.def.type),
  });
  return kinds;
}

describe('the response serializer', () => {
  it('checks answers with safeParse, which equals safeEncode only while no contract has a transform or codec', async () => {
    const files = readdirSync(contractsDir).filter((name) => name.endsWith('.ts'));
    let schemas = 0;
    for (const file of files) {
      const module = (await import(`${contractsDir}${file}`)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) {
        if (!(value instanceof z.ZodType)) continue;
        schemas += 1;
        const kinds = kindsWithin(value);
        expect
          .soft(kinds.has('pipe') || kinds.has('transform'), `${file}: ${name} has a transform or codec`)
          .toBe(false);
      }
    }
    expect(schemas).toBeGreaterThan(50);
  });

  it('drops what the schema does not name, and refuses an answer that breaks it', () => {
    const serialize = serializerCompiler({
      schema: z.object({ id: z.number() }),
      method: 'GET',
      url: '/x',
      httpStatus: '200',
    });
    expect(serialize({ id: 1, password_hash: 'secret' })).toBe('{"id":1}');
    expect(() => serialize({ id: 'one' })).toThrow(/doesn't match the schema/);
  });

  it('takes a schema as fastify-type-provider-zod does: itself, or under `properties`', () => {
    expect(responseSchemaOf(traceBack)).toBe(traceBack);
    expect(responseSchemaOf({ properties: traceBack })).toBe(traceBack);
    expect(() => responseSchemaOf({ type: 'object' })).toThrow(/not a zod schema/);
  });
});
