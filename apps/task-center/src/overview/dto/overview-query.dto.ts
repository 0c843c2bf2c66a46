import { ApiPropertyOptional } from '@nestjs/swagger';
import { QueryNumber } from '../../http/query-number';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class OverviewQueryDto {
  @ApiPropertyOptional({
    description: 'Minutes in the series, the current (partial) minute included.',
    type: 'integer',
    minimum: 1,
    maximum: 60,
    default: 60,
  })
  @IsOptional()
  @QueryNumber()
  @IsInt({ message: 'minutes must be an integer from 1 to 60' })
  @Min(1, { message: 'minutes must be an integer from 1 to 60' })
  @Max(60, { message: 'minutes must be an integer from 1 to 60' })
  minutes = 60;

  @ApiPropertyOptional({
    description: 'Minutes the lateness percentiles cover, the current one included.',
    type: 'integer',
    minimum: 1,
    maximum: 60,
    default: 5,
  })
  @IsOptional()
  @QueryNumber()
  @IsInt({ message: 'lateness_minutes must be an integer from 1 to 60' })
  @Min(1, { message: 'lateness_minutes must be an integer from 1 to 60' })
  @Max(60, { message: 'lateness_minutes must be an integer from 1 to 60' })
  lateness_minutes = 5;
}
