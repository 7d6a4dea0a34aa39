import { matchIdPrefix } from './id-prefix';

describe('matchIdPrefix', () => {
  it('asks for a lower-case LIKE pattern and a few ids, and shapes the answer', async () => {
    const asked: Array<[string, number]> = [];
    const lookup = (ids: string[]) => async (pattern: string, limit: number) => {
      asked.push([pattern, limit]);
      return ids;
    };

    expect(await matchIdPrefix('AB12', lookup(['ab12cd']))).toEqual({ kind: 'found', id: 'ab12cd' });
    expect(await matchIdPrefix('ab', lookup([]))).toEqual({ kind: 'not_found' });
    expect(await matchIdPrefix('ab', lookup(['ab1', 'ab2']))).toEqual({ kind: 'ambiguous', candidates: ['ab1', 'ab2'] });
    expect(asked).toEqual([
      ['ab12%', 5],
      ['ab%', 5],
      ['ab%', 5],
    ]);
  });

  it('names nothing, without asking, for text that cannot start a uuid', async () => {
    const findIds = jest.fn(async () => ['x']);

    expect(await matchIdPrefix('', findIds)).toEqual({ kind: 'not_found' });
    expect(await matchIdPrefix('a_%', findIds)).toEqual({ kind: 'not_found' });
    expect(await matchIdPrefix('0'.repeat(37), findIds)).toEqual({ kind: 'not_found' });
    expect(findIds).not.toHaveBeenCalled();
  });
});
