// What other commands use from the deploy module: `up` calls deployCode as its last step.
export { deployCode, PACKAGE_SHA_SETTING, type DeployCodeInput, type DeployCodeResult } from './deploy.ts';
export { buildPackage, formatBytes, type BuiltPackage } from './package.ts';
export { findProjectDir, resolveProjectDir } from './project.ts';
