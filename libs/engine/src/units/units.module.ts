import { Module } from '@nestjs/common';
import { ActorLevelCheck } from './actor-level-check';
import { UnitDirectory } from './unit-directory';
import { UnitsService } from './units.service';

@Module({ providers: [UnitsService, UnitDirectory, ActorLevelCheck], exports: [UnitsService, UnitDirectory, ActorLevelCheck] })
export class UnitsModule {}
