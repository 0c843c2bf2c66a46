import { IsBoolean, IsOptional } from 'class-validator';
import { ApiError } from '../errors/api-error';
import { QueryBoolean } from './query-boolean';
import { validatedAs } from './validation.pipe';

class Query {
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'envelope must be true or false' })
  envelope?: boolean;
}

const envelopeOf = (value: unknown) => validatedAs(Query, { envelope: value }).envelope;

describe('QueryBoolean', () => {
  it('reads true and false', () => {
    expect(envelopeOf('true')).toBe(true);
    expect(envelopeOf('false')).toBe(false);
    expect(envelopeOf(undefined)).toBeUndefined();
  });

  it.each(['', '1', 'yes', 'TRUE', ['true', 'true']])(
    'leaves %j to the boolean rule, which rejects it',
    (value) => {
      expect(() => envelopeOf(value)).toThrow(ApiError);
      expect(() => envelopeOf(value)).toThrow('envelope must be true or false');
    },
  );
});
