import { IsInt, IsOptional } from 'class-validator';
import { ApiError } from '../errors/api-error';
import { QueryNumber } from './query-number';
import { validatedAs } from './validation.pipe';

class Query {
  @IsOptional()
  @QueryNumber()
  @IsInt({ message: 'limit must be an integer' })
  limit?: number;
}

const limitOf = (value: unknown) => validatedAs(Query, { limit: value }).limit;

describe('QueryNumber', () => {
  it('reads a decimal numeral as its number', () => {
    expect(limitOf('25')).toBe(25);
    expect(limitOf('-3')).toBe(-3);
    expect(limitOf(7)).toBe(7);
  });

  it.each(['', ' 5', '1e3', 'abc', '1.5', ['1', '2']])(
    'leaves %j to the number rule, which rejects it',
    (value) => {
      expect(() => limitOf(value)).toThrow(ApiError);
      expect(() => limitOf(value)).toThrow('limit must be an integer');
    },
  );
});
