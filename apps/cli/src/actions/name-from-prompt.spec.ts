import { nameFromPrompt } from './name-from-prompt';

describe('nameFromPrompt', () => {
  it('keeps the words of a short prompt and drops punctuation', () => {
    expect(nameFromPrompt('Portrait of a fox knight, oil on canvas')).toBe('Portrait of a fox knight oil on canvas');
  });

  it('cuts a long prompt at a word boundary within 48 characters', () => {
    const name = nameFromPrompt('a very long prompt about a castle on a hill under a stormy sky with ravens circling');

    expect(name.length).toBeLessThanOrEqual(48);
    expect(name).toBe('a very long prompt about a castle on a hill');
  });

  it('falls back to "image" when the prompt has no letters or digits', () => {
    expect(nameFromPrompt('!!! ???')).toBe('image');
  });
});
