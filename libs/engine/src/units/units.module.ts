import { Module } from '@nestjs/common';
import { ActorLevelCheck } from './actor-level-check';
import { UnitDirectory } from './unit-directory';
import { UnitRepository } from './unit.repository';
import { UnitsService } from './units.service';

@Module({
  providers: [UnitsService, UnitRepository, UnitDirectory, ActorLevelCheck],
  exports: [UnitsService, UnitDirectory, ActorLevelCheck],
})
export class UnitsModule {}
