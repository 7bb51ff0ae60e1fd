export { makeBackup, describeDatabase, type DatabaseState } from './backup.service.ts';
export { restoreBackup, RestoreRefused, type RestoreResult, type RestoreTarget } from './restore.service.ts';
export { BackupFormatError, type BackupManifest } from './backup.rules.ts';
export { PgToolError } from './pg-tools.ts';
