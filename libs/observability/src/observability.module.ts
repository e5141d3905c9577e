import { Global, Module } from '@nestjs/common';
import { Metrics } from './metrics';

/** One `Metrics` per Nest application, visible to every module (the engine counts through it). */
@Global()
@Module({ providers: [Metrics], exports: [Metrics] })
export class ObservabilityModule {}
