import { agreementShare, voteIssues } from './household-votes';

describe('meeting votes', () => {
  const codes = ['H1', 'H2', 'h3'];

  it('accepts good votes, matching codes without regard to case', () => {
    expect(
      voteIssues(
        [
          { code: 'H1', agree: 5, present: 10 },
          { code: 'H3', agree: 0, present: 1 },
          { code: 'h2', agree: 10, present: 10 },
        ],
        codes,
      ),
    ).toEqual([]);
  });

  it('names each bad item: unknown or repeated code, nobody present, more agreeing than present', () => {
    const issues = voteIssues(
      [
        { code: 'H1', agree: 11, present: 10 },
        { code: 'H9', agree: 1, present: 2 },
        { code: 'H2', agree: 0, present: 0 },
        { code: 'h1', agree: 1, present: 1 },
      ],
      codes,
    );
    expect(issues.map((issue) => issue.field)).toEqual([
      'votes[0].agree',
      'votes[1].code',
      'votes[2].present',
      'votes[3].code',
    ]);
    expect(issues[0].message).toContain('agree (11) exceeds present (10)');
    expect(issues[1].message).toContain('no household "H9"');
    expect(issues[2].message).toContain('present must be greater than 0');
    expect(issues[3].message).toContain('repeats votes[0]');
  });

  it('computes the agreement share, none when nobody voted', () => {
    expect(agreementShare(4, 10)).toBe(0.4);
    expect(agreementShare(5, 10)).toBe(0.5);
    expect(agreementShare(null, null)).toBeNull();
    expect(agreementShare(0, 0)).toBeNull();
  });
});
