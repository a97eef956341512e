// The app settings the function reads. Functions exposes app settings as environment variables; they
// are read per request (cheap) so a test, or a settings change after a restart, is seen at once.

export interface Settings {
  /** Full public base URL of the API, e.g. https://apim-demo.azure-api.net/example. Wins when set. */
  apiPublicUrl?: string;
  /** Base URL of the API Management gateway, e.g. https://apim-demo.azure-api.net. */
  apimGatewayUrl?: string;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    apiPublicUrl: nonEmpty(env.API_PUBLIC_URL),
    apimGatewayUrl: nonEmpty(env.APIM_GATEWAY_URL),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
