import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { TaskDefinitionDto } from './task-definition.dto';

export class CreateTaskDto extends TaskDefinitionDto {
  @ApiPropertyOptional({
    description: 'With key: update the existing task instead of returning it.',
  })
  @IsOptional()
  @IsBoolean()
  upsert?: boolean;
}

export class CreateTaskResponse {
  @ApiProperty() taskid!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'False when the key matched an existing task.' }) created!: boolean;
}
