import { HouseholdVotesService } from './household-votes.service';
import { CASE_ID, NOW, TX, actor, householdRow, householdsFixture } from './households.fixture';

const MEETING = '2026-10-10';
const MEETING_AT = new Date('2026-10-10T00:00:00+07:00');

function setup() {
  const fixture = householdsFixture('meeting');
  fixture.repository.households.mockResolvedValue([
    householdRow('H01'),
    householdRow('H02', { agree_votes: 30, present_votes: 40, voted_at: MEETING_AT }),
    householdRow('H03'),
  ]);
  return { ...fixture, service: new HouseholdVotesService(fixture.households, fixture.cases) };
}

describe('HouseholdVotesService', () => {
  it('writes the votes that changed, names the households under half, and records one history entry', async () => {
    const { service, repository, history } = setup();
    const result = await service.vote(CASE_ID, actor('village_board'), {
      meetingDate: MEETING,
      votes: [
        { code: 'h01', agree: 35, present: 40 },
        { code: 'H02', agree: 30, present: 40 }, // as recorded already
        { code: 'H03', agree: 19, present: 40 },
      ],
    });
    expect(result).toEqual({ recorded: 3, changed: 2, belowHalf: ['H03'] });
    expect(repository.writeVotesMany.mock.calls).toEqual([
      [
        TX,
        [
          { householdId: 'id-H01', agree: 35, present: 40 },
          { householdId: 'id-H03', agree: 19, present: 40 },
        ],
        MEETING_AT,
        NOW,
      ],
    ]);
    expect(history()).toEqual([
      {
        operation: 'vote',
        meetingDate: MEETING,
        votes: [
          { code: 'H01', agree: 35, present: 40 },
          { code: 'H03', agree: 19, present: 40 },
        ],
        belowHalf: ['H03'],
        summary: `Họp dân ngày ${MEETING}: ghi biểu quyết 2 hộ; dưới 50% đồng ý: H03`,
      },
    ]);
  });

  it('changes nothing and writes no history when the same votes come again', async () => {
    const { service, repository } = setup();
    expect(
      await service.vote(CASE_ID, actor('village_board'), {
        meetingDate: MEETING,
        votes: [{ code: 'H02', agree: 30, present: 40 }],
      }),
    ).toEqual({ recorded: 1, changed: 0, belowHalf: [] });
    expect(repository.writeVotesMany).not.toHaveBeenCalled();
    expect(repository.insertHistory).not.toHaveBeenCalled();
  });

  it('names every bad item and writes nothing', async () => {
    const { service, repository } = setup();
    const votes = [
      { code: 'H09', agree: 1, present: 2 },
      { code: 'H01', agree: 5, present: 4 },
      { code: 'H01', agree: 1, present: 0 },
    ];
    await expect(service.vote(CASE_ID, actor('village_board'), { meetingDate: MEETING, votes })).rejects.toMatchObject({
      code: 'HOUSEHOLD_INVALID',
      details: {
        fields: ['votes[0].code', 'votes[1].agree', 'votes[2].code', 'votes[2].present', 'votes[2].agree'].map(
          (field) => expect.objectContaining({ field }),
        ),
      },
    });
    expect(repository.writeVotesMany).not.toHaveBeenCalled();
  });

  it('takes votes from the village board only', async () => {
    const { service } = setup();
    await expect(
      service.vote(CASE_ID, actor('commune_committee', 'T1C1'), {
        meetingDate: MEETING,
        votes: [{ code: 'H01', agree: 1, present: 1 }],
      }),
    ).rejects.toMatchObject({ kind: 'forbidden', code: 'HOUSEHOLD_ROLE_NOT_ALLOWED' });
  });
});
