// GET /api/getter?message=... → 200 {"message": "..."}; 422 when the message is missing, empty or blank.
import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { errorBody, json, withErrorHandling } from '../lib/http';

export async function getter(request: HttpRequest): Promise<HttpResponseInit> {
  const message = request.query.get('message');
  if (message === null) return errorBody(422, "The query parameter 'message' is required.");
  // trim() also strips Unicode spaces (U+00A0, U+3000, ...), so those count as blank too.
  if (message.trim() === '') return errorBody(422, "The query parameter 'message' must not be empty or blank.");
  return json(200, { message });
}

export const getterFunction: HttpFunctionOptions = {
  methods: ['GET'],
  authLevel: 'function',
  route: 'getter',
  handler: withErrorHandling(getter),
};

app.http('getter', getterFunction);
