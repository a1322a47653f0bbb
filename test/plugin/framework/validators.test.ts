import { unknown } from '../../../src/plugin/cty/types';
import { attributePath } from '../../../src/plugin/framework/diagnostics';
import { validateAttributes } from '../../../src/plugin/framework/planning';
import { numberAttribute, setAttribute, stringAttribute, mapAttribute, listAttribute } from '../../../src/plugin/framework/schema';
import {
  eachElement,
  isUrl,
  isWholeNumber,
  lengthBetween,
  matchesPattern,
  numberBetween,
  oneOf,
  satisfies,
  sizeBetween,
  uniqueElements,
} from '../../../src/plugin/framework/validators';

const context = { path: attributePath('name'), type: 'string' as const, sensitive: false };

describe('built-in validators', () => {
  it('accept valid values and describe invalid ones with the attribute path and the value', () => {
    expect(lengthBetween(1, 3).validate('abc', context)).toEqual([]);
    const [problem] = lengthBetween(1, 3).validate('abcd', context);
    expect(problem).toEqual({
      severity: 'error',
      summary: 'Invalid attribute value',
      detail: 'Attribute name must be between 1 and 3 characters long, got "abcd".',
      path: [{ attribute: 'name' }],
    });
  });

  it('never echo the value of a sensitive attribute', () => {
    const [problem] = lengthBetween(10, 20).validate('hunter2', { ...context, sensitive: true });
    expect(problem?.detail).not.toContain('hunter2');
  });

  it('check a rule given as a function that says what is wrong, in its words', () => {
    const even = satisfies('an even number of characters', (value) => (value.length % 2 === 0 ? null : 'must have an even number of characters'));
    expect(even.description).toBe('must be an even number of characters');
    expect(even.validate('ab', context)).toEqual([]);
    expect(even.validate('abc', context)[0]?.detail).toBe('Attribute name must have an even number of characters, got "abc".');
  });

  it('check patterns, choices, URLs and numbers', () => {
    expect(matchesPattern(/^[A-Z]+$/, 'a project key').validate('PRJ', context)).toEqual([]);
    expect(matchesPattern(/^[A-Z]+$/, 'a project key').validate('prj', context)[0]?.detail).toContain('must be a project key');
    expect(oneOf(['a', 'b']).validate('c', context)[0]?.detail).toContain('must be one of "a", "b"');
    expect(isUrl(['http', 'https']).validate('https://example.com/hook', context)).toEqual([]);
    expect(isUrl(['http', 'https']).validate('ftp://example.com', context)).toHaveLength(1);
    expect(isUrl(['http', 'https']).validate('not a url', context)).toHaveLength(1);
    expect(numberBetween(0, 10).validate(11, context)).toHaveLength(1);
    expect(isWholeNumber().validate(1.5, context)).toHaveLength(1);
    expect(sizeBetween<string[]>(1).validate([], context)[0]?.detail).toContain('must have at least 1 element');
    expect(uniqueElements<string>().validate(['a', 'b', 'a'], context)[0]?.detail).toContain('"a"');
  });

  it('point at each bad element of a list or map, and at the set itself for sets', () => {
    const listProblems = eachElement(lengthBetween(1, 2)).validate(['ok', 'too long', 'bad!!'], { ...context, type: ['list', 'string'] });
    expect(listProblems.map((problem) => problem.path)).toEqual([
      [{ attribute: 'name' }, { index: 1 }],
      [{ attribute: 'name' }, { index: 2 }],
    ]);
    const mapProblems = eachElement(lengthBetween(1, 2)).validate({ a: 'ok', b: 'long' }, { ...context, type: ['map', 'string'] });
    expect(mapProblems.map((problem) => problem.path)).toEqual([[{ attribute: 'name' }, { key: 'b' }]]);
    const setProblems = eachElement(lengthBetween(1, 2)).validate(['long'], { ...context, type: ['set', 'string'] });
    expect(setProblems.map((problem) => problem.path)).toEqual([[{ attribute: 'name' }]]);
  });
});

describe('validateAttributes', () => {
  const schema = {
    description: 'test',
    attributes: {
      name: stringAttribute({ required: true, description: 'n', validators: [lengthBetween(1, 3), matchesPattern(/^[a-z]+$/, 'lowercase')] }),
      size: numberAttribute({ optional: true, description: 's', validators: [numberBetween(0, 5)] }),
      tags: setAttribute('string', { optional: true, description: 't', validators: [eachElement(lengthBetween(1, 2))] }),
      labels: mapAttribute('string', { optional: true, description: 'l', validators: [eachElement(lengthBetween(1, 2))] }),
      urls: listAttribute('string', { optional: true, description: 'u', validators: [eachElement(isUrl(['https']))] }),
      old: stringAttribute({ optional: true, description: 'o', deprecated: 'use name' }),
    },
  };

  it('reports every problem of every attribute at once', () => {
    const diagnostics = validateAttributes(schema, { name: 'TOO LONG', size: 9, tags: ['abc'], labels: { x: 'abc' }, urls: ['http://a'], old: null });
    expect(diagnostics.map((diagnostic) => diagnostic.path)).toEqual([
      [{ attribute: 'name' }],
      [{ attribute: 'name' }],
      [{ attribute: 'size' }],
      [{ attribute: 'tags' }],
      [{ attribute: 'labels' }, { key: 'x' }],
      [{ attribute: 'urls' }, { index: 0 }],
    ]);
    expect(diagnostics.every((diagnostic) => diagnostic.severity === 'error')).toBe(true);
  });

  it('skips null and unknown values, including unknown elements', () => {
    expect(validateAttributes(schema, { name: unknown, size: null, tags: [unknown], labels: { x: unknown }, urls: null, old: null })).toEqual([]);
  });

  it('reports a validator that throws as a provider bug on its attribute, and still runs the others', () => {
    const misused = {
      description: 'misused',
      attributes: {
        name: stringAttribute({ required: true, description: 'n', validators: [eachElement(lengthBetween(1, 2)) as never, lengthBetween(1, 2)] }),
      },
    };
    const diagnostics = validateAttributes(misused, { name: 'abc' });
    expect(diagnostics).toHaveLength(2);
    expect(diagnostics[0]).toMatchObject({ summary: expect.stringContaining('Unexpected error in the validator'), path: [{ attribute: 'name' }] });
    expect(diagnostics[0]?.detail).toContain('eachElement validates lists, sets and maps');
    expect(diagnostics[1]?.detail).toContain('must be between 1 and 2 characters long');
  });

  it('warns when a deprecated attribute is set', () => {
    const [warning] = validateAttributes(schema, { name: 'ab', size: null, tags: null, labels: null, urls: null, old: 'x' });
    expect(warning).toMatchObject({ severity: 'warning', summary: 'Deprecated attribute', path: [{ attribute: 'old' }] });
  });
});
