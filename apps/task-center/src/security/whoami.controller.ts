import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { type Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../config';
import { API_KEY_SCOPES, type ApiKeyScope } from './api-key-scope';
import { heldScope } from './held-scope';

export class WhoamiResponse {
  @ApiProperty({ description: 'False when API_KEYS is not set: every request is allowed.' })
  auth_required!: boolean;
  @ApiProperty({
    enum: API_KEY_SCOPES,
    description: "The presented key's scope (admin when no key is required).",
  })
  scope!: ApiKeyScope;
}

@ApiTags('security')
@Controller('v1/api')
export class WhoamiController {
  private readonly authRequired: boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.authRequired = config.security.apiKeys.length > 0;
  }

  @Get('whoami')
  @ApiOperation({
    summary: 'Whether a key is required, and what the presented one may do',
    description: 'For clients such as the dashboard: it hides the actions the scope refuses.',
  })
  @ApiOkResponse({ type: WhoamiResponse })
  whoami(@Req() req: Request): WhoamiResponse {
    return { auth_required: this.authRequired, scope: heldScope(req) ?? 'admin' };
  }
}
