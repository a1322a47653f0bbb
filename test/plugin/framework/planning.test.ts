import { isUnknown, unknown } from '../../../src/plugin/cty/types';
import {
  appliedStateProblems,
  planChange,
  planProblems,
  replacementPaths,
  stateProblems,
  withoutWriteOnly,
} from '../../../src/plugin/framework/planning';
import { recomputeOnUpdate, requiresReplaceIf } from '../../../src/plugin/framework/plan-modifiers';
import { boolAttribute, mapAttribute, numberAttribute, schemaProblems, setAttribute, stringAttribute } from '../../../src/plugin/framework/schema';
import { compatibleWithPlanned, valuesEqual } from '../../../src/plugin/framework/values';

const schema = {
  description: 'a thing',
  attributes: {
    id: stringAttribute({ computed: true, description: 'id' }),
    name: stringAttribute({ required: true, description: 'name', requiresReplace: 'names are permanent' }),
    events: setAttribute('string', { required: true, description: 'events' }),
    labels: mapAttribute('string', { optional: true, description: 'labels' }),
    active: boolAttribute({ optional: true, default: true, description: 'active' }),
    note: stringAttribute({ optional: true, computed: true, description: 'note' }),
    secret: stringAttribute({ optional: true, sensitive: true, description: 'secret' }),
    token_wo: stringAttribute({ optional: true, writeOnly: true, description: 'token' }),
    revision: numberAttribute({ computed: true, description: 'revision', planModifiers: [recomputeOnUpdate<number>()] }),
  },
};

const config = {
  id: null,
  name: 'hook',
  events: ['push', 'merge'],
  labels: null,
  active: null,
  note: null,
  secret: 'hunter2',
  token_wo: 't0ken',
  revision: null,
};

const stored = { ...config, id: 'h-1', active: true, note: 'from remote', token_wo: null, revision: 3 };

describe('planChange', () => {
  it('plans computed attributes unknown on create, applies defaults, and plans write-only attributes null', () => {
    const { planned, requiresReplace } = planChange(schema, { prior: null, proposed: config, config });
    expect(isUnknown(planned.id)).toBe(true);
    expect(isUnknown(planned.note)).toBe(true);
    expect(isUnknown(planned.revision)).toBe(true);
    expect(planned.active).toBe(true);
    expect(planned.token_wo).toBeNull();
    expect(planned.secret).toBe('hunter2');
    expect(requiresReplace).toEqual([]);
  });

  it('keeps prior computed values when nothing changed, so a second plan is empty', () => {
    // Terraform's proposal: config, with computed attributes the config leaves out taken from prior.
    const proposed = { ...config, id: 'h-1', note: 'from remote', revision: 3 };
    const { planned } = planChange(schema, { prior: stored, proposed, config });
    expect(valuesEqual(planned, stored, ['object', Object.fromEntries(Object.entries(schema.attributes).map(([k, a]) => [k, a.type]))])).toBe(true);
    expect(replacementPaths(schema, stored, planned)).toEqual([]);
  });

  it('compares sets as sets: reordered events are no change', () => {
    const proposed = { ...config, events: ['merge', 'push'], id: 'h-1', note: 'from remote', revision: 3 };
    const { planned } = planChange(schema, { prior: stored, proposed, config: { ...config, events: ['merge', 'push'] } });
    expect(planned.revision).toBe(3);
  });

  it('recomputes a recomputeOnUpdate attribute only when the resource changes', () => {
    const changedConfig = { ...config, events: ['push'] };
    const proposed = { ...changedConfig, id: 'h-1', note: 'from remote', revision: 3 };
    const { planned } = planChange(schema, { prior: stored, proposed, config: changedConfig });
    expect(isUnknown(planned.revision)).toBe(true);
    expect(planned.id).toBe('h-1');
  });

  it('resets an optional attribute with a default when the config drops it', () => {
    const prior = { ...stored, active: false };
    const proposed = { ...config, id: 'h-1', note: 'from remote', revision: 3, active: false };
    const { planned } = planChange(schema, { prior, proposed, config });
    expect(planned.active).toBe(true);
  });

  it('reports replacement for a changed requiresReplace attribute only', () => {
    const changedConfig = { ...config, name: 'renamed' };
    const proposed = { ...changedConfig, id: 'h-1', note: 'from remote', revision: 3 };
    const { planned } = planChange(schema, { prior: stored, proposed, config: changedConfig });
    expect(replacementPaths(schema, stored, planned)).toEqual([[{ attribute: 'name' }]]);
    expect(replacementPaths(schema, stored, { ...planned, name: unknown })).toEqual([[{ attribute: 'name' }]]);
  });

  it('lets a plan modifier force replacement by rule', () => {
    const withRule = {
      description: 'x',
      attributes: {
        size: numberAttribute({ required: true, description: 'size', planModifiers: [requiresReplaceIf<number>('when it shrinks', (prior, plan) => typeof plan === 'number' && prior !== null && plan < prior)] }),
      },
    };
    expect(planChange(withRule, { prior: { size: 5 }, proposed: { size: 3 }, config: { size: 3 } }).requiresReplace).toEqual([[{ attribute: 'size' }]]);
    expect(planChange(withRule, { prior: { size: 5 }, proposed: { size: 8 }, config: { size: 8 } }).requiresReplace).toEqual([]);
    expect(planChange(withRule, { prior: null, proposed: { size: 3 }, config: { size: 3 } }).requiresReplace).toEqual([]);
  });
});

describe('planProblems (the rules Terraform enforces on a plan)', () => {
  it('accepts the framework\'s own plans', () => {
    const { planned } = planChange(schema, { prior: null, proposed: config, config });
    expect(planProblems(schema, 't_hook', { prior: null, config, planned })).toEqual([]);
  });

  it('reports a planned value that matches neither config nor prior as a provider bug on the attribute', () => {
    const { planned } = planChange(schema, { prior: null, proposed: config, config });
    const [problem] = planProblems(schema, 't_hook', { prior: null, config, planned: { ...planned, name: 'other' } });
    expect(problem).toMatchObject({ severity: 'error', summary: 'Provider produced invalid plan', path: [{ attribute: 'name' }] });
    expect(problem?.detail).toContain('provider bug');
  });

  it('reports a known plan for a value the configuration leaves unknown (it would change in the final plan)', () => {
    const unknownConfig = { ...config, labels: unknown };
    const { planned } = planChange(schema, { prior: null, proposed: unknownConfig, config: unknownConfig });
    expect(planProblems(schema, 't_hook', { prior: null, config: unknownConfig, planned })).toEqual([]);
    expect(planProblems(schema, 't_hook', { prior: null, config: unknownConfig, planned: { ...planned, labels: { a: 'b' } } })).toHaveLength(1);
  });

  it('requires write-only attributes to be planned null and hides sensitive values', () => {
    const { planned } = planChange(schema, { prior: null, proposed: config, config });
    const problems = planProblems(schema, 't_hook', { prior: null, config, planned: { ...planned, token_wo: 'x', secret: 'leak' } });
    expect(problems.map((problem) => problem.path)).toEqual([[{ attribute: 'secret' }], [{ attribute: 'token_wo' }]]);
    expect(problems.map((problem) => problem.detail).join()).not.toContain('leak');
    expect(problems.map((problem) => problem.detail).join()).not.toContain('hunter2');
  });

  it('reports a value of the wrong type', () => {
    const { planned } = planChange(schema, { prior: null, proposed: config, config });
    expect(planProblems(schema, 't_hook', { prior: null, config, planned: { ...planned, active: 'yes' } })[0]?.detail).toContain('type');
  });
});

describe('after apply', () => {
  const planned = { ...stored, id: unknown, revision: unknown };

  it('accepts a state that keeps every known planned value and fills in the unknowns', () => {
    expect(appliedStateProblems(schema, 't_hook', planned, { ...stored, events: ['merge', 'push'] })).toEqual([]);
    expect(stateProblems(schema, stored, 't_hook create')).toEqual([]);
  });

  it('reports a changed known value as an inconsistent result with the attribute path', () => {
    const [problem] = appliedStateProblems(schema, 't_hook', planned, { ...stored, note: 'changed' });
    expect(problem).toMatchObject({ summary: 'Provider produced inconsistent result after apply', path: [{ attribute: 'note' }] });
  });

  it('reports unknown, missing and extra attributes in a returned state', () => {
    const { revision: _dropped, ...missing } = stored;
    expect(stateProblems(schema, { ...stored, id: unknown }, 'x')[0]?.detail).toContain('unknown value for id');
    expect(stateProblems(schema, missing, 'x')[0]?.detail).toContain('left out attribute revision');
    expect(stateProblems(schema, { ...stored, extra: 1 }, 'x')[0]?.detail).toContain('"extra"');
  });

  it('never stores write-only values', () => {
    expect(withoutWriteOnly(schema, { ...stored, token_wo: 'x' }).token_wo).toBeNull();
  });
});

describe('value comparison', () => {
  it('compares sets by membership regardless of order and repeats, maps by key', () => {
    expect(valuesEqual(['a', 'b'], ['b', 'a'], ['set', 'string'])).toBe(true);
    expect(valuesEqual(['a', 'b'], ['b', 'a'], ['list', 'string'])).toBe(false);
    expect(valuesEqual(['a', 'a'], ['a', 'b'], ['set', 'string'])).toBe(false);
    expect(valuesEqual(['a', 'a'], ['a'], ['set', 'string'])).toBe(true);
    expect(valuesEqual({ x: '1', y: '2' }, { y: '2', x: '1' }, ['map', 'string'])).toBe(true);
    expect(valuesEqual(null, [], ['set', 'string'])).toBe(false);
    expect(valuesEqual(unknown, unknown, 'string')).toBe(true);
    expect(valuesEqual(unknown, 'a', 'string')).toBe(false);
  });

  it('lets unknown parts of a plan become anything', () => {
    expect(compatibleWithPlanned(['a', unknown], ['a', 'b'], ['list', 'string'])).toBe(true);
    expect(compatibleWithPlanned(['a', unknown], ['c', 'b'], ['list', 'string'])).toBe(false);
    expect(compatibleWithPlanned({ a: unknown }, { a: 'x' }, ['map', 'string'])).toBe(true);
  });
});

describe('schemaProblems', () => {
  it('accepts a good schema', () => {
    expect(schemaProblems(schema, { resource: true })).toEqual([]);
  });

  it('names every problem Terraform would reject', () => {
    const problems = schemaProblems(
      {
        description: 'bad',
        attributes: {
          'Bad-Name': stringAttribute({ required: true, description: 'x' }),
          nothing: stringAttribute({ description: 'x' }),
          both: stringAttribute({ required: true, optional: true, description: 'x' }),
          undocumented: stringAttribute({ optional: true, description: ' ' }),
          wo: stringAttribute({ optional: true, computed: true, writeOnly: true, description: 'x' }),
          replace: stringAttribute({ optional: true, requiresReplace: '', description: 'x' }),
        },
      },
      { resource: true },
    );
    expect(problems).toEqual([
      'attribute "Bad-Name": names may only contain lowercase letters, digits and underscores',
      'attribute "nothing": must be required, optional or computed',
      'attribute "both": a required attribute cannot also be optional or computed',
      'attribute "undocumented": a description is required',
      'attribute "wo": a write-only attribute cannot be computed (it is never stored) nor have a default',
      'attribute "replace": requiresReplace needs a description of why',
    ]);
  });
});
