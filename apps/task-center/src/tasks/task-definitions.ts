import { Inject, Injectable } from '@nestjs/common';
import { HTTP_TARGET_DEFAULTS, type HttpTarget, TaskType } from '@task-center/contracts';
import { APP_CONFIG, type AppConfig } from '../config';
import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';
import { type TargetPolicy, urlProblem } from '../http-targets/address-policy';
import { targetPolicyOf } from '../http-targets/target-policy';
import { normalizeTargetHeaders } from '../http-targets/target-headers';
import { RETRY_DEFAULTS, type ScheduleSpec, validateSchedule } from '../scheduling';
import { type HttpTargetDto } from './dto/http-target.dto';
import { type RetryPolicyDto } from './dto/retry-policy.dto';
import { type TaskDefinitionDto } from './dto/task-definition.dto';
import { type RetryPolicy, type TaskDefinition } from './task';

/** Seed semantics: 0 and "" in optional fields mean "not set". */
const orAbsent = <T>(value: T | undefined | null): T | undefined =>
  value === 0 || value === '' || value === null ? undefined : value;

/** The schedule-relevant view of a definition, for the pure scheduling core. */
export function scheduleOf(def: TaskDefinition, createdAt: number): ScheduleSpec {
  return {
    type: def.type,
    crontab: def.crontab,
    loopTime: def.loopTime,
    loopCount: def.loopCount,
    startTime: def.startTime === undefined ? undefined : def.startTime * 1000,
    endTime: def.endTime === undefined ? undefined : def.endTime * 1000,
    timezone: def.timezone,
    anchor: def.startTime === undefined ? createdAt : def.startTime * 1000,
  };
}

/**
 * Turns wire bodies into checked {@link TaskDefinition}s: applies defaults and the seed's
 * zero-means-absent rule, then enforces what needs configuration (size, topics) and the
 * scheduling rules. Every rejection is an {@link ApiError} naming the field.
 */
@Injectable()
export class TaskDefinitions {
  private readonly targetPolicy: TargetPolicy;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.targetPolicy = targetPolicyOf(config.httpTargets);
  }

  /** A complete definition from a create body. */
  fromCreate(dto: TaskDefinitionDto): TaskDefinition {
    return this.checked(this.normalize(dto, undefined));
  }

  /** `base` with the fields present in an update body replaced. */
  merge(base: TaskDefinition, dto: Partial<TaskDefinitionDto>): TaskDefinition {
    return this.checked(this.normalize(dto, base));
  }

  /** Schedule fields only (preview): data, name and routing are not involved. */
  scheduleFrom(dto: Partial<TaskDefinitionDto>, now: number): ScheduleSpec {
    const def = this.normalize({ name: 'preview', data: '', ...dto }, undefined);
    const spec = scheduleOf(def, now);
    this.checkSchedule(spec);
    return spec;
  }

  private normalize(
    dto: Partial<TaskDefinitionDto>,
    base: TaskDefinition | undefined,
  ): TaskDefinition {
    const pick = <K extends keyof TaskDefinition>(
      key: K,
      value: TaskDefinition[K] | undefined,
      sent: boolean,
    ) => (sent ? value : base?.[key]);
    const has = (key: keyof TaskDefinitionDto) => dto[key] !== undefined;
    const def: TaskDefinition = {
      name: dto.name ?? base?.name ?? '',
      type: (dto.type ?? base?.type) as TaskType,
      data: dto.data ?? base?.data ?? '',
      ack: dto.ack ?? base?.ack ?? false,
      timezone: orAbsent(dto.timezone) ?? base?.timezone ?? this.config.tasks.defaultTimezone,
      misfire: dto.misfire ?? base?.misfire ?? this.config.tasks.misfire.policy,
    };
    const optional = {
      crontab: pick('crontab', orAbsent(dto.crontab?.trim()), has('crontab')),
      loopTime: pick('loopTime', orAbsent(dto.loop_time), has('loop_time')),
      loopCount: pick('loopCount', orAbsent(dto.loop_count), has('loop_count')),
      startTime: pick('startTime', orAbsent(dto.start_time), has('start_time')),
      endTime: pick('endTime', orAbsent(dto.end_time), has('end_time')),
      maxRuntime: pick('maxRuntime', orAbsent(dto.max_runtime), has('max_runtime')),
      key: pick('key', orAbsent(dto.key), has('key')),
      topic: pick('topic', orAbsent(dto.topic), has('topic')),
      retry: pick('retry', dto.retry && this.retryFrom(dto.retry), has('retry')),
      target: pick('target', dto.target ? this.targetFrom(dto.target) : undefined, has('target')),
    };
    for (const [k, v] of Object.entries(optional)) {
      if (v !== undefined) Object.assign(def, { [k]: v });
    }
    return def;
  }

  private retryFrom(dto: RetryPolicyDto): RetryPolicy {
    const retry: RetryPolicy = {
      maxAttempts:
        dto.max_attempts ?? (dto.intervals ? dto.intervals.length + 1 : RETRY_DEFAULTS.maxAttempts),
      backoff: dto.backoff ?? RETRY_DEFAULTS.backoff,
      delay: dto.delay ?? RETRY_DEFAULTS.delay,
      maxDelay: dto.max_delay ?? Math.max(RETRY_DEFAULTS.maxDelay, dto.delay ?? 0),
    };
    if (dto.intervals) retry.intervals = dto.intervals;
    if (retry.maxDelay < retry.delay) {
      throw new ApiError(
        ErrorCode.INVALID_PARAM,
        'retry.max_delay must not be less than retry.delay',
      );
    }
    return retry;
  }

  /** Defaults applied, URL and headers checked; the SSRF rules of the address come first. */
  private targetFrom(dto: HttpTargetDto): HttpTarget {
    const problem = urlProblem(dto.url, this.targetPolicy);
    if (problem) throw new ApiError(ErrorCode.INVALID_PARAM, problem);
    const headers = normalizeTargetHeaders(dto.headers ?? {});
    if (!headers.ok) throw new ApiError(ErrorCode.INVALID_PARAM, headers.problem);
    return {
      type: 'http',
      url: dto.url,
      method: dto.method ?? HTTP_TARGET_DEFAULTS.method,
      headers: headers.headers,
      timeoutS: dto.timeout_s ?? HTTP_TARGET_DEFAULTS.timeoutS,
    };
  }

  private checked(def: TaskDefinition): TaskDefinition {
    const bytes = Buffer.byteLength(def.data, 'utf8');
    if (bytes > this.config.tasks.dataMaxBytes) {
      throw new ApiError(
        ErrorCode.DATA_TOO_LARGE,
        `data is ${bytes} bytes; the limit is ${this.config.tasks.dataMaxBytes} (TASK_DATA_MAX_BYTES)`,
      );
    }
    if (def.target && def.topic !== undefined) {
      throw new ApiError(
        ErrorCode.INVALID_PARAM,
        'topic and target cannot both be set: fires of an HTTP target go to KAFKA_TOPIC_HTTP',
      );
    }
    if (def.topic !== undefined) {
      const allowed = [this.config.kafka.topics.tasks, ...this.config.kafka.extraTopics];
      if (!allowed.includes(def.topic)) {
        throw new ApiError(
          ErrorCode.INVALID_PARAM,
          `topic "${def.topic}" is not allowed; allowed: ${allowed.join(', ')} (KAFKA_EXTRA_TOPICS)`,
        );
      }
    }
    if (def.maxRuntime === undefined && def.ack) {
      throw new ApiError(
        ErrorCode.INVALID_PARAM,
        'ack needs max_runtime: the time to wait for an outcome',
      );
    }
    this.checkSchedule(scheduleOf(def, 0));
    return def;
  }

  private checkSchedule(spec: ScheduleSpec): void {
    const reason = validateSchedule(spec);
    if (reason) throw new ApiError(ErrorCode.INVALID_SCHEDULE, reason);
  }
}
