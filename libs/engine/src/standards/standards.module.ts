import { Module } from '@nestjs/common';
import { PovertyStandards } from './poverty-standards.service';

/** The poverty standards (`config/poverty-rules/`): campaigns choose their rule set, households get their rules. */
@Module({ providers: [PovertyStandards], exports: [PovertyStandards] })
export class StandardsModule {}
