import type { Sequelize } from 'sequelize';
import { defineApiTokenModel } from './api-token-model.js';
import { defineAuditModels } from './audit-models.js';
import { defineCacheModel } from './cache-model.js';
import { defineApplicationModels } from './application-models.js';
import { defineCredentialModel } from './credential-model.js';
import { defineIdentityModel } from './identity-model.js';
import { defineIdpTokenModel } from './idp-token-model.js';
import { defineJobModels } from './job-models.js';
import { defineLogModel } from './log-model.js';
import { defineLoginBlockModel } from './login-block-model.js';
import { definePasswordlessCodeModel } from './passwordless-code-model.js';
import { defineRoleModels } from './role-models.js';
import { defineSessionModel } from './session-model.js';
import { defineTokenModel } from './token-model.js';
import { defineUserModel } from './user-model.js';
import { defineUserPermissionModel } from './user-permission-model.js';
import { defineMetadataValueModel } from '../search/metadata-value-model.js';

/** Every model of the adapter, named by table (model names carry the prefix, so two prefixes can share an instance). */
export function defineModels(sequelize: Sequelize, prefix: string) {
  return {
    user: defineUserModel(sequelize, prefix),
    identity: defineIdentityModel(sequelize, prefix),
    credential: defineCredentialModel(sequelize, prefix),
    token: defineTokenModel(sequelize, prefix),
    session: defineSessionModel(sequelize, prefix),
    ...defineRoleModels(sequelize, prefix),
    log: defineLogModel(sequelize, prefix),
    apiToken: defineApiTokenModel(sequelize, prefix),
    userPermission: defineUserPermissionModel(sequelize, prefix),
    metadataValue: defineMetadataValueModel(sequelize, prefix),
    ...defineJobModels(sequelize, prefix),
    ...defineAuditModels(sequelize, prefix),
    cache: defineCacheModel(sequelize, prefix),
    loginBlock: defineLoginBlockModel(sequelize, prefix),
    ...defineApplicationModels(sequelize, prefix),
    idpToken: defineIdpTokenModel(sequelize, prefix),
    passwordlessCode: definePasswordlessCodeModel(sequelize, prefix),
  };
}

export type Models = ReturnType<typeof defineModels>;
