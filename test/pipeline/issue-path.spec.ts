import { formatPath } from '../../src/pipeline/issue-path';

describe('formatPath', () => {
  it.each([
    [[], ''],
    [['name'], 'name'],
    [['sinks', 1, 'type'], 'sinks[1].type'],
    [['transforms', 0, 'map', 'groups'], 'transforms[0].map.groups'],
    [['source', 'params', 'per_page'], 'source.params.per_page'],
    [[2], '[2]'],
  ])('formats %j as %s', (segments, expected) => {
    expect(formatPath(segments)).toBe(expected);
  });
});
