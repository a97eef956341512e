// The App Service resource provider answers errors in its own PascalCase envelope, which ARM passes through
// unchanged on synchronous calls: {"Code","Message","Target","Details":[{Message},{Code},{ErrorEntity}],"Innererror"}
// (recorded in e.g. Azure/azure-rest-api-specs#14557, hashicorp/terraform-provider-azurerm#13377). The SDK's
// createRestError reads only lowercase code/message, so RestError.code is undefined for these, as with real Azure.
import { ArmError } from '../../../http/arm-error.ts';

export interface ErrorEntity {
  /** App Service's numeric error id, only where a recorded real response shows it. */
  extendedCode?: string;
  template?: string;
  parameters?: string[];
}

export class AppServiceError extends ArmError {
  readonly entity: ErrorEntity;
  constructor(status: number, code: string, message: string, entity: ErrorEntity = {}) {
    super(status, code, message);
    this.entity = entity;
  }

  toBody(): ReturnType<ArmError['toBody']> {
    const errorEntity: Record<string, unknown> = {};
    if (this.entity.extendedCode) errorEntity.ExtendedCode = this.entity.extendedCode;
    if (this.entity.template) errorEntity.MessageTemplate = this.entity.template;
    if (this.entity.parameters) errorEntity.Parameters = this.entity.parameters;
    errorEntity.Code = this.code;
    errorEntity.Message = this.message;
    const body = {
      Code: this.code,
      Message: this.message,
      Target: null,
      Details: [{ Message: this.message }, { Code: this.code }, { ErrorEntity: errorEntity }],
      Innererror: null,
    };
    return body as unknown as ReturnType<ArmError['toBody']>;
  }
}

/** ExtendedCode 51021, "{0} is invalid.  {1}": Flex Consumption's validation of sites (AVM terraform #283). */
export function invalidForFlex(subject: string, advice: string): AppServiceError {
  return new AppServiceError(400, 'BadRequest', `${subject} is invalid.  ${advice}`, {
    extendedCode: '51021',
    template: '{0} is invalid.  {1}',
    parameters: [subject, advice],
  });
}

export const serverFarmNotFound = (name: string): AppServiceError =>
  new AppServiceError(404, 'NotFound', `Cannot find ServerFarm with name ${name}.`);

export const siteNameTaken = (name: string): AppServiceError =>
  new AppServiceError(409, 'Conflict', `Website with given name ${name} already exists.`, {
    extendedCode: '54001',
    template: 'Website with given name {0} already exists.',
    parameters: [name],
  });

export const propertiesMissing = (): AppServiceError =>
  new AppServiceError(400, 'BadRequest', 'Properties object is not present in the request body.', {
    extendedCode: '51006',
    template: '{0} object is not present in the request body.',
    parameters: ['Properties'],
  });
