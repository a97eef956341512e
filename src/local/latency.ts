// How long each long-running operation takes. `none` completes at once (the LRO protocol is still followed);
// `realistic` uses typical Azure durations, scaled by timeScale (0.01 turns APIM's ~2 minutes into ~1 s).
export type LatencyMode = 'none' | 'realistic';

/** Typical durations in seconds, from Azure docs and recorded traffic (see ../shared/AZURE-NOTES.md). */
const TYPICAL_SECONDS: Record<string, number> = {
  'microsoft.resources/resourcegroups:delete': 15,
  'microsoft.storage/storageaccounts:provision': 20,
  'microsoft.operationalinsights/workspaces:provision': 10,
  'microsoft.operationalinsights/workspaces:delete': 10,
  'microsoft.web/serverfarms:provision': 5,
  'microsoft.web/sites:provision': 25,
  'microsoft.apimanagement/service:provision': 150,
  'microsoft.apimanagement/service:delete': 40,
  'microsoft.apimanagement/deletedservices:purge': 20,
  'microsoft.apimanagement/service/apis:provision': 6,
  'microsoft.apimanagement/service/namedvalues:provision': 3,
};

/** Retry-After that Azure sends on polls, in seconds (recordings: APIM 60, storage 17, RG 15). */
const TYPICAL_RETRY_AFTER: Record<string, number> = {
  'microsoft.resources/resourcegroups': 15,
  'microsoft.storage/storageaccounts': 17,
  'microsoft.apimanagement/service': 60,
};

export class LatencyModel {
  readonly mode: LatencyMode;
  readonly timeScale: number;
  constructor(mode: LatencyMode = 'none', timeScale = 1) {
    this.mode = mode;
    this.timeScale = timeScale;
  }

  durationMs(resourceType: string, kind: string): number {
    if (this.mode === 'none') return 0;
    const seconds = TYPICAL_SECONDS[`${resourceType.toLowerCase()}:${kind}`] ?? 2;
    return Math.round(seconds * 1000 * this.timeScale);
  }

  /** Retry-After header for poll responses, or undefined to let the SDK use its own interval. */
  retryAfterSeconds(resourceType: string): number | undefined {
    if (this.mode === 'none') return undefined;
    const s = Math.round((TYPICAL_RETRY_AFTER[resourceType.toLowerCase()] ?? 10) * this.timeScale);
    return s > 0 ? s : undefined;
  }
}
