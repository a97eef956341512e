// Placeholder until the spec-derived validator lands: accepts every body.
export function validateRequestBody(_operationId: string, _body: unknown): Array<{ path: string; message: string }> {
  return [];
}
