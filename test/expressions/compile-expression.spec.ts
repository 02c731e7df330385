import jsonata from 'jsonata';
import { compileExpression, expressionSchema, isPlainPath, toExpression } from '../../src/expressions/compile-expression';
import { ExpressionError } from '../../src/expressions/expression-error';
import { ExactNumber } from '../../src/json/exact-number';

describe('isPlainPath', () => {
  it.each(['companyName', 'address.city', 'a.b.c', '_id', 'customer_groups', 'field2'])('treats %s as a plain field path', (text) => {
    expect(isPlainPath(text)).toBe(true);
  });

  it.each([
    ['a function call', '$join(customerGroups, ";")'],
    ['a comparison', 'integration = "acumulus"'],
    ['a boolean literal', 'true'],
    ['null', 'null'],
    ['a keyword in a path', 'address.and'],
    ['arithmetic on a hyphenated name', 'first-name'],
    ['an array index', 'customerGroups[0]'],
    ['a variable', '$'],
    ['a quoted name', '`company name`'],
    ['a leading dot', '.city'],
    ['a trailing dot', 'address.'],
    ['surrounding spaces', ' id'],
  ])('sends %s to JSONata: %s', (_name, text) => {
    expect(isPlainPath(text)).toBe(false);
  });
});

describe('compileExpression', () => {
  it('compiles a plain path to a direct reader', () => {
    const expression = compileExpression('address.city');
    expect(expression.kind).toBe('path');
    expect(expression.evaluate({ address: { city: 'Utrecht' } })).toBe('Utrecht');
    expect(expression.text).toBe('address.city');
  });

  it('compiles anything else to a JSONata expression, evaluated synchronously', () => {
    const expression = compileExpression('$join(customerGroups, ";")');
    expect(expression.kind).toBe('jsonata');
    expect(expression.evaluate({ customerGroups: ['a', 'b'] })).toBe('a;b');
  });

  it('gives JSONata results as plain values of this realm', () => {
    const result = compileExpression('{ "ids": [id, id + 1], "n": $count(xs) }').evaluate({ id: 1, xs: [1, 2] });
    expect(result).toStrictEqual({ ids: [1, 2], n: 2 });
    expect((result as { ids: unknown }).ids).toBeInstanceOf(Array);
  });

  it('evaluates JSONata keywords as JSONata, not as field names', () => {
    const expression = compileExpression('true');
    expect(expression.kind).toBe('jsonata');
    expect(expression.evaluate({ true: 'field' })).toBe(true);
  });

  it('gives undefined for missing fields and missing parents', () => {
    expect(compileExpression('missing').evaluate({})).toBeUndefined();
    expect(compileExpression('address.city').evaluate({})).toBeUndefined();
    expect(compileExpression('address.city').evaluate({ address: null })).toBeUndefined();
    expect(compileExpression('address.city').evaluate({ address: 'Teststreet 1' })).toBeUndefined();
    expect(compileExpression('address.city.name').evaluate({ address: { city: 'Utrecht' } })).toBeUndefined();
  });

  // The fast path must not change what an expression means: it reads what JSONata would read.
  it.each([
    ['a string field', 'companyName', { companyName: 'Café "t Hoekje"' }],
    ['a null field', 'phone', { phone: null }],
    ['an array field', 'customerGroups', { customerGroups: ['cug_1'] }],
    ['an empty array field', 'customerGroups', { customerGroups: [] }],
    ['a missing field', 'phone', {}],
    ['a nested field', 'address.city', { address: { city: 'Utrecht' } }],
    ['a nested null', 'address.city', { address: { city: null } }],
    ['a field of every element', 'lines.sku', { lines: [{ sku: 'a' }, { sku: 'b' }, { qty: 1 }] }],
    ['a field of a single element', 'lines.sku', { lines: [{ sku: 'a' }] }],
    ['arrays in elements, flattened', 'lines.tags', { lines: [{ tags: ['x', 'y'] }, { tags: ['z'] }] }],
    ['an array in a single element', 'lines.tags', { lines: [{ tags: ['x'] }] }],
    ['an empty array in a single element', 'lines.tags', { lines: [{ tags: [] }] }],
    ['nested arrays', 'lines.sku', { lines: [[{ sku: 'a' }], { sku: 'b' }] }],
    ['nested arrays holding an array', 'lines.tags', { lines: [[{ tags: ['x'] }]] }],
    ['three steps through arrays', 'orders.lines.sku', { orders: [{ lines: [{ sku: 'a' }, { sku: 'b' }] }, { lines: { sku: 'c' } }] }],
    ['an array of scalars', 'lines.sku', { lines: [1, 2] }],
    ['an empty array', 'lines.sku', { lines: [] }],
    ['objects through an array', 'lines.item', { lines: [{ item: { a: 1 } }, { item: { a: 2 } }] }],
  ])('reads %s as JSONata does (%s)', async (_name, path, record) => {
    const fast = compileExpression(path);
    expect(fast.kind).toBe('path');
    expect(asJson(fast.evaluate(record))).toEqual(asJson(await jsonata(path).evaluate(record)));
  });

  it('throws the JSONata syntax error when compiling', () => {
    expect(() => compileExpression('$join(customerGroups')).toThrow();
  });

  it('throws an ExpressionError naming the expression and the record when evaluation fails', () => {
    const failure = () => compileExpression('$number(id)').evaluate({ id: 'cst_1' });
    expect(failure).toThrow(ExpressionError);
    expect(failure).toThrow('expression: "$number(id)" failed on record 1 ({"id":"cst_1"}): Unable to cast value to a number: "cst_1"');
  });

  it.each([
    { name: 'a constructor', record: { id: 1 }, path: 'constructor' },
    { name: 'a toString', record: { id: 1 }, path: 'toString' },
    { name: 'a nested constructor', record: { address: { city: 'x' } }, path: 'address.constructor' },
    { name: 'a __proto__', record: { id: 1 }, path: '__proto__' },
  ])('reads only own fields: $name the record lacks is missing', ({ record, path }) => {
    expect(compileExpression(path).evaluate(record)).toBeUndefined();
  });

  it('reads own fields named like inherited ones', () => {
    const record = JSON.parse('{"constructor":"c","toString":"t","__proto__":{"x":1}}');
    expect(compileExpression('constructor').evaluate(record)).toBe('c');
    expect(compileExpression('toString').evaluate(record)).toBe('t');
    expect(compileExpression('__proto__.x').evaluate(record)).toBe(1);
  });

  it('passes exact numbers through field paths, and gives them to JSONata as strings', () => {
    const record = { id: new ExactNumber('12345678901234567890'), lines: [{ n: new ExactNumber('1e400') }] };
    expect(compileExpression('id').evaluate(record)).toBe(record.id);
    expect(compileExpression('lines.n').evaluate(record)).toBe(record.lines[0].n);
    expect(compileExpression('id.text').evaluate(record)).toBeUndefined();
    expect(compileExpression('$type(id) & ":" & id').evaluate(record)).toBe('string:12345678901234567890');
    expect(compileExpression('$string(lines[0].n)').evaluate(record)).toBe('1e400');
  });
});

describe('toExpression', () => {
  it('wraps a function as an expression named after it', () => {
    const expression = toExpression(function companyOf(record) {
      return record.companyName;
    });
    expect(expression).toMatchObject({ text: 'companyOf', kind: 'function' });
    expect(expression.evaluate({ companyName: 'X' })).toBe('X');
  });
});

describe('expressionSchema', () => {
  it('accepts plain paths and valid JSONata', () => {
    expect(expressionSchema.parse('address.city')).toBe('address.city');
    expect(expressionSchema.parse('$join(customerGroups, ";")')).toBe('$join(customerGroups, ";")');
  });

  it('reports a JSONata syntax error with its position', () => {
    const result = expressionSchema.safeParse('$join(customerGroups, ";"');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toBe(
      'invalid JSONata expression "$join(customerGroups, \\";\\"": Expected ")" before end of expression (at character 25)',
    );
  });

  it('rejects an empty expression', () => {
    expect(expressionSchema.safeParse('').success).toBe(false);
  });
});

/** JSONata marks its result arrays with extra properties; compare values as they would be written. */
function asJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
