import type { Actor } from '@rasoat/contracts';
import { InvalidPayloadException, RoleNotAllowedException, UnknownEventTypeException } from './cases.exception';
import { admitEvent } from './event-admission';
import { fixtureReview } from './review-definition.fixture';

const board: Actor = { sub: 'board@V1', role: 'village_board', unit: 'T1C1V1' };
const committee: Actor = { sub: 'bcd@C1', role: 'commune_committee', unit: 'T1C1' };

const refusal = (send: () => unknown) => {
  try {
    send();
  } catch (e) {
    return e;
  }
  throw new Error('admitted');
};

describe('admitEvent', () => {
  it('admits an event of a role the event lists, with its parsed payload and the actor as it is', () => {
    expect(admitEvent(fixtureReview, { type: 'LIST_SUBMITTED', data: { householdCount: 3 } }, board)).toEqual({
      type: 'LIST_SUBMITTED',
      data: { householdCount: 3 },
      actor: board,
    });
  });

  it('records whom a proxy role enters the event for (`onBehalfOf`)', () => {
    expect(admitEvent(fixtureReview, { type: 'LIST_SUBMITTED', data: { householdCount: 3 } }, committee).actor).toEqual(
      { ...committee, onBehalfOf: 'village_board' },
    );
  });

  it('refuses an event type the definition does not declare: 400 naming `type`, with the known types', () => {
    const error = refusal(() => admitEvent(fixtureReview, { type: 'NOT_AN_EVENT', data: {} }, board));
    expect(error).toBeInstanceOf(UnknownEventTypeException);
    expect(error).toMatchObject({
      kind: 'invalid',
      code: 'UNKNOWN_EVENT_TYPE',
      details: { field: 'type', known: ['LIST_SUBMITTED', 'MEETING_HELD'] },
    });
  });

  it('refuses a role neither listed nor a proxy of the event: 403 with the roles that may send it', () => {
    const error = refusal(() =>
      admitEvent(fixtureReview, { type: 'MEETING_HELD', data: { attendees: 12 } }, committee),
    );
    expect(error).toBeInstanceOf(RoleNotAllowedException);
    expect(error).toMatchObject({
      kind: 'forbidden',
      code: 'ROLE_NOT_ALLOWED',
      details: { allowed: ['village_board'] },
    });
    const proxied = refusal(() =>
      admitEvent(
        fixtureReview,
        { type: 'LIST_SUBMITTED', data: { householdCount: 3 } },
        { ...board, role: 'surveyor' },
      ),
    );
    expect(proxied).toMatchObject({
      details: { allowed: ['village_board', 'commune_committee (thay / for village_board)'] },
    });
  });

  it('refuses a payload that does not fit the event’s fields: 400 naming each `data.<field>`', () => {
    const error = refusal(() =>
      admitEvent(fixtureReview, { type: 'LIST_SUBMITTED', data: { householdCount: -1, extra: true } }, board),
    );
    expect(error).toBeInstanceOf(InvalidPayloadException);
    expect(error).toMatchObject({ kind: 'invalid', code: 'INVALID_PAYLOAD' });
    const fields = (error as InvalidPayloadException).details.fields as { field: string }[];
    expect(fields.map((f) => f.field).sort()).toEqual(['data.extra', 'data.householdCount']);
  });

  it('checks the role before the payload: a wrong role with a bad payload is 403', () => {
    expect(
      refusal(() => admitEvent(fixtureReview, { type: 'MEETING_HELD', data: { attendees: 'many' } }, committee)),
    ).toBeInstanceOf(RoleNotAllowedException);
  });
});
