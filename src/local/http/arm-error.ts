// ARM's error envelope: {"error":{"code","message"}} with the matching HTTP status.
export class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target: string | undefined;
  readonly details: Array<{ code: string; message: string; target?: string }> | undefined;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    code: string,
    message: string,
    extra: { target?: string; details?: Array<{ code: string; message: string; target?: string }>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.target = extra.target;
    this.details = extra.details;
    this.headers = extra.headers ?? {};
  }
  toBody(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.target) error.target = this.target;
    if (this.details?.length) error.details = this.details;
    return { error };
  }
}

export const notFound = (type: string, name: string, rg?: string): ArmError =>
  new ArmError(
    404,
    'ResourceNotFound',
    rg
      ? `The Resource '${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`
      : `The Resource '${type}/${name}' was not found.`,
  );

export const resourceGroupNotFound = (rg: string): ArmError =>
  new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);

export const invalidRequestContent = (message: string, target?: string): ArmError =>
  new ArmError(400, 'InvalidRequestContent', message, { target });
