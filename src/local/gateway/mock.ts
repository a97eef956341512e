// mock-response (mock-response-policy.md): "prefers response content examples, whenever available … If neither
// examples or schemas are found, responses with no content are returned." The response for `status-code`
// (default 200) is looked up in the operation's `responses`; `content-type` selects the representation, else the
// first one is used. Schema-based sample generation needs the API's schema entities, which the gateway model
// does not carry: a representation with a schema but no example answers with no content.
import { eqi, type GatewayResponse, type HeaderMap, type OperationContract } from './model.ts';

export function mockResponse(op: OperationContract, statusCode: number, contentType: string | undefined): GatewayResponse {
  const response = op.properties.responses?.find((r) => r.statusCode === statusCode);
  const reps = response?.representations ?? [];
  const rep = contentType === undefined ? reps[0] : reps.find((r) => eqi(r.contentType, contentType));
  const headers: HeaderMap = {};
  const type = contentType ?? rep?.contentType;
  if (type) headers['content-type'] = [type];
  const example = Object.values(rep?.examples ?? {}).find((e) => e.value !== undefined);
  if (!example) return { status: statusCode, headers, body: { kind: 'none' } };
  const text = typeof example.value === 'string' ? example.value : JSON.stringify(example.value);
  return { status: statusCode, headers, body: { kind: 'text', text } };
}
