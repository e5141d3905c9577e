import { AddHouseholdBody, HouseholdCodeParam, VotesBody } from './household-requests';

// "Hộ" decomposed (o, combining dot below, combining circumflex), as some phone keyboards send it.
const NFC = 'THÔN-HỘ7';
const NFD = NFC.normalize('NFD');

describe('household codes in requests', () => {
  it('are NFC whatever form they were typed in', () => {
    expect(NFD).not.toBe(NFC);
    expect(HouseholdCodeParam.parse(NFD)).toBe(NFC);
    expect(HouseholdCodeParam.parse(` ${NFC} `)).toBe(NFC);
    expect(
      VotesBody.parse({ meetingDate: '2026-10-01', votes: [{ code: NFD, agree: 3, present: 4 }] }).votes[0].code,
    ).toBe(NFC);
    expect(
      AddHouseholdBody.parse({
        code: NFD,
        headName: 'Lò Văn Bảy',
        memberCount: 1,
        area: 'rural',
        source: 'newly_arising',
      }).code,
    ).toBe(NFC);
  });

  it('are still bounded after normalising (50 characters)', () => {
    expect(HouseholdCodeParam.safeParse('H'.repeat(51)).success).toBe(false);
    expect(HouseholdCodeParam.safeParse('   ').success).toBe(false);
  });
});
