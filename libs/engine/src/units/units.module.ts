import { Module } from '@nestjs/common';
import { UnitDirectory } from './unit-directory';
import { UnitsService } from './units.service';

@Module({ providers: [UnitsService, UnitDirectory], exports: [UnitsService, UnitDirectory] })
export class UnitsModule {}
