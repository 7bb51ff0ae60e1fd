import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isEmptyChange } from '../../src/contracts/change.rules.ts';
import { badPercentEncoding, badTextKind, findBadQueryEncoding, findBadText } from '../../src/contracts/text.rules.ts';
import { installInputGuard } from '../../src/server/shared/input-guard.ts';
import { handleError } from '../../src/server/shared/problem.ts';

describe('text the database cannot hold', () => {
  it('is a NUL or a lone surrogate; a surrogate pair and other control characters are text', () => {
    expect(badTextKind('a\u0000b')).toBe('text_nul');
    expect(badTextKind('a\ud800')).toBe('text_lone_surrogate');
    expect(badTextKind('\udc00a')).toBe('text_lone_surrogate');
    expect(badTextKind('\udc00\ud800')).toBe('text_lone_surrogate');
    expect(badTextKind('稀土 😀 \u202e\u0001\t\r\n')).toBeNull();
    expect(badTextKind('')).toBeNull();
  });

  it('is found in values and keys at any depth, each named by its path', () => {
    const body = { name: 'ok', licences: [{ number: 'x\u0000' }], 'ke\ud800y': 1, nested: { deep: ['\udfff'] } };
    expect(findBadText(body)).toEqual([
      { path: 'licences.0.number', kind: 'text_nul', inKey: false },
      { path: 'ke\\ud800y', kind: 'text_lone_surrogate', inKey: true },
      { path: 'nested.deep.0', kind: 'text_lone_surrogate', inKey: false },
    ]);
    expect(findBadText('\u0000', 'params')).toEqual([{ path: 'params', kind: 'text_nul', inKey: false }]);
    expect(findBadText(Buffer.from([0, 0xed, 0xa0, 0x80]))).toEqual([]);
    // A JSON number beyond a double parses as Infinity: refused with the text, never stored or summed.
    expect(findBadText(JSON.parse('{"events":[{"mass_kg":1e400},-1e400,1e308]}'))).toEqual([
      { path: 'events.0.mass_kg', kind: 'number_not_finite', inKey: false },
      { path: 'events.1', kind: 'number_not_finite', inKey: false },
    ]);
  });

  it('is found under a body nested far deeper than the call stack goes, without exhausting it', () => {
    let body: unknown = 'bottom\u0000';
    for (let depth = 0; depth < 200_000; depth += 1) body = [body];
    const found = findBadText(body);
    expect(found).toHaveLength(1);
    expect(found[0]?.kind).toBe('text_nul');
  });

  it('is also a percent-encoding in a URL that does not decode to UTF-8', () => {
    expect(badPercentEncoding('a%ED%A0%80')).toBe('text_lone_surrogate');
    expect(badPercentEncoding('%FF')).toBe('text_bad_encoding');
    expect(badPercentEncoding('100%')).toBe('text_bad_encoding');
    expect(badPercentEncoding('%E7%A8%80%F0%9F%98%80')).toBeNull();
    expect(findBadQueryEncoding('a=1&q=x%ED%B0%80&%FF=2', 'querystring')).toEqual([
      { path: 'querystring.q', kind: 'text_lone_surrogate', inKey: false },
      { path: 'querystring.%FF', kind: 'text_bad_encoding', inKey: true },
    ]);
  });
});

describe('an empty change', () => {
  it('is an object naming nothing but the version it was made against', () => {
    expect(isEmptyChange({})).toBe(true);
    expect(isEmptyChange({ expected_version: 3 })).toBe(true);
    expect(isEmptyChange({ expected_version: 3, name: undefined })).toBe(true);
    expect(isEmptyChange({ expected_version: 3, active: false })).toBe(false);
    expect(isEmptyChange({ name: null })).toBe(false);
    expect(isEmptyChange([])).toBe(false);
    expect(isEmptyChange(undefined)).toBe(false);
  });

  it('is refused with 422 even when the schema strips unknown keys and leaves nothing', async () => {
    const app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(handleError);
    installInputGuard(app);
    // A schema that strips keys it does not know (the app's own are strict): only the parsed body is empty.
    app.patch('/things/:id', { schema: { body: z.object({ name: z.string().optional() }) } }, async (request) => ({
      changed: request.body,
    }));
    await app.ready();
    const stripped = await app.inject({ method: 'PATCH', url: '/things/1', payload: { colour: 'red' } });
    expect(stripped.statusCode).toBe(422);
    expect(stripped.json()).toMatchObject({ code: 'empty_change', status: 422 });
    const changed = await app.inject({ method: 'PATCH', url: '/things/1', payload: { name: 'n' } });
    expect(changed.statusCode).toBe(200);
    const nul = await app.inject({ method: 'PATCH', url: '/things/a%00', payload: { name: 'n' } });
    expect(nul.statusCode).toBe(400);
    expect(nul.json()).toMatchObject({ code: 'text_nul', errors: [{ field: 'params.id' }] });
    await app.close();
  });
});
