// The pure part of a site PUT: what Flex Consumption rejects, the siteConfig and functionAppConfig defaults
// App Service fills in (spec example CreateOrUpdateFunctionAppFlexConsumption.json), and managed identities.
import { randomUUID } from 'node:crypto';
import { invalidForFlex } from './errors.ts';

/**
 * siteConfig properties Flex Consumption rejects with 51021, each seen named in a recorded ARM answer:
 * LinuxFxVersion (AVM terraform #283), NetFrameworkVersion/FtpsState/Use32BitWorkerProcess/
 * FunctionsRuntimeScaleMonitoringEnabled/PreWarmedInstanceCount (azure-pipelines-tasks #21032, AVM #360),
 * FunctionAppScaleLimit (azure-functions-host #10643). The runtime and scale live in functionAppConfig instead.
 */
const FLEX_REJECTED_SITE_CONFIG = [
  'linuxFxVersion',
  'netFrameworkVersion',
  'ftpsState',
  'use32BitWorkerProcess',
  'preWarmedInstanceCount',
  'functionsRuntimeScaleMonitoringEnabled',
  'functionAppScaleLimit',
];

/**
 * App settings Flex Consumption rejects outright. Only FUNCTIONS_WORKER_RUNTIME is recorded as a hard ARM
 * rejection (vscode-azurefunctions #4142, azure-functions-host #11908); the other deprecated settings
 * (FUNCTIONS_EXTENSION_VERSION, WEBSITE_CONTENTSHARE, ...) are accepted and ignored by the platform.
 */
const FLEX_REJECTED_APP_SETTINGS = ['FUNCTIONS_WORKER_RUNTIME'];

const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Throws App Service's 51021 error when a Flex site's siteConfig carries a property Flex does not take. */
export function checkFlexSiteConfig(siteConfig: Record<string, unknown> | undefined): void {
  if (!siteConfig) return;
  const bad = FLEX_REJECTED_SITE_CONFIG.filter((k) => Object.keys(siteConfig).some((g) => g.toLowerCase() === k.toLowerCase()));
  if (!bad.length) return;
  const names = bad.map((k) => `Site.SiteConfig.${pascal(k)}`);
  if (names.length === 1) {
    throw invalidForFlex(`The following site configuration property (${names[0]}) for Flex Consumption sites`, 'Please remove or rename it before retrying.');
  }
  throw invalidForFlex(
    `The following list of ${names.length} site configuration properties (${names.join(', ')}) for Flex Consumption sites`,
    'Please remove or rename them before retrying.',
  );
}

export function checkFlexAppSettings(settings: Record<string, string>): void {
  const bad = Object.keys(settings).find((k) => FLEX_REJECTED_APP_SETTINGS.includes(k.toUpperCase()));
  if (bad) {
    throw invalidForFlex(`The following app setting (Site.SiteConfig.AppSettings.${bad}) for Flex Consumption sites`, 'Please remove or rename it before retrying.');
  }
}

/** siteConfig.appSettings [{name, value}] as the settings dictionary the appsettings API speaks. */
export function appSettingsFromList(list: unknown): Record<string, string> | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    if (item && typeof item.name === 'string') out[item.name] = item.value == null ? '' : String(item.value);
  }
  return out;
}

const allowAll = () => [{ ipAddress: 'Any', action: 'Allow', priority: 2147483647, name: 'Allow all', description: 'Allow all access' }];

/** The siteConfig GET returns: App Service defaults under what the caller set. */
export function siteConfigFor(given: Record<string, any> | undefined, flex: boolean): Record<string, any> {
  const { appSettings: _settings, connectionStrings: _connections, ...rest } = given ?? {};
  void _settings;
  void _connections;
  return {
    numberOfWorkers: 1,
    netFrameworkVersion: '',
    phpVersion: '',
    pythonVersion: '',
    nodeVersion: '',
    powerShellVersion: '',
    linuxFxVersion: '',
    requestTracingEnabled: false,
    remoteDebuggingEnabled: false,
    httpLoggingEnabled: false,
    acrUseManagedIdentityCreds: false,
    logsDirectorySizeLimit: 35,
    detailedErrorLoggingEnabled: false,
    use32BitWorkerProcess: false,
    webSocketsEnabled: false,
    alwaysOn: false,
    appCommandLine: '',
    managedPipelineMode: 'Integrated',
    virtualApplications: [{ virtualPath: '/', physicalPath: 'site\\wwwroot', preloadEnabled: false }],
    loadBalancing: 'LeastRequests',
    autoHealEnabled: false,
    vnetName: '',
    vnetRouteAllEnabled: false,
    vnetPrivatePortsCount: 0,
    ipSecurityRestrictions: allowAll(),
    scmIpSecurityRestrictions: allowAll(),
    http20Enabled: false,
    minTlsVersion: '1.2',
    scmMinTlsVersion: '1.2',
    ftpsState: 'AllAllowed',
    functionAppScaleLimit: flex ? 0 : 200,
    functionsRuntimeScaleMonitoringEnabled: false,
    minimumElasticInstanceCount: 0,
    azureStorageAccounts: {},
    keyVaultReferenceIdentity: '',
    ...rest,
    // GET never returns settings or connection strings (secrets); settings are read with config/appsettings/list.
    appSettings: null,
    connectionStrings: null,
  };
}

/** functionAppConfig with the platform's defaults: 2048 MB instances, at most 100 of them. */
export function functionAppConfigFor(given: Record<string, any>): Record<string, any> {
  const scale = given.scaleAndConcurrency ?? {};
  return {
    ...given,
    deployment: given.deployment ?? null,
    runtime: given.runtime ?? null,
    scaleAndConcurrency: {
      alwaysReady: scale.alwaysReady ?? null,
      instanceMemoryMB: scale.instanceMemoryMB ?? 2048,
      maximumInstanceCount: scale.maximumInstanceCount ?? 100,
      triggers: scale.triggers ?? null,
    },
  };
}

/** Flex's resourceConfig follows the instance size: 512 MB → 0.25 vCPU, 2048 MB → 1, 4096 MB → 2. */
export function resourceConfigFor(instanceMemoryMB: number): { cpu: number; memory: string } {
  const cpu = instanceMemoryMB <= 512 ? 0.25 : instanceMemoryMB <= 2048 ? 1 : 2;
  return { cpu, memory: `${(instanceMemoryMB / 1024).toFixed(1)}Gi` };
}

/**
 * A managed identity as the platform returns it. The system-assigned principal keeps its ids across re-PUTs
 * (the identity lives as long as the site); `undefined` given keeps what exists.
 */
export function siteIdentity(given: any, existing: any, tenantId: string): Record<string, any> | undefined {
  if (given === undefined) return existing;
  const type = typeof given?.type === 'string' ? given.type : 'None';
  if (/^none$/i.test(type)) return undefined;
  const out: Record<string, any> = { type };
  if (/systemassigned/i.test(type)) {
    const keep = existing && /systemassigned/i.test(existing.type ?? '');
    out.tenantId = keep ? existing.tenantId : tenantId;
    out.principalId = keep ? existing.principalId : randomUUID();
  }
  if (/userassigned/i.test(type) && given.userAssignedIdentities && typeof given.userAssignedIdentities === 'object') {
    out.userAssignedIdentities = {};
    for (const id of Object.keys(given.userAssignedIdentities)) {
      const before = existing?.userAssignedIdentities?.[id];
      out.userAssignedIdentities[id] = before ?? { principalId: randomUUID(), clientId: randomUUID() };
    }
  }
  return out;
}
