import { closestName } from '../../src/pipeline/closest-name';

const TOP = ['name', 'description', 'source', 'transforms', 'sinks'];

describe('closestName', () => {
  it.each([
    { name: 'sink', guess: 'sinks' },
    { name: 'tranforms', guess: 'transforms' },
    { name: 'trasnforms', guess: 'transforms' },
    { name: 'Sinks', guess: 'sinks' },
    { name: 'sorce', guess: 'source' },
    { name: 'nmae', guess: 'name' },
    { name: 'whatever', guess: undefined },
    { name: 'x', guess: undefined },
    { name: 'sunk', guess: undefined },
  ])('$name → $guess', ({ name, guess }) => {
    expect(closestName(name, TOP)).toBe(guess);
  });

  it('prefers the closest of several candidates', () => {
    expect(closestName('colums', ['columns', 'column', 'colour'])).toBe('columns');
  });
});
