export { DefinitionAdminService } from './definition-admin.service';
export { DefinitionRegistry } from './definition-registry.service';
export { DefinitionVersionChangedException } from './definitions.exception';
export { DefinitionsModule } from './definitions.module';
