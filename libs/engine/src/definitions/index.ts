export { DefinitionAdminService } from './definition-admin.service';
export { DefinitionRegistry } from './definition-registry.service';
export { DefinitionRepository } from './definition.repository';
export { DefinitionVersionChangedException } from './definitions.exception';
export { DefinitionsModule } from './definitions.module';
