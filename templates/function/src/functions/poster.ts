// POST /api/poster with a text/plain body → 200 text/plain that hands the body back.
import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { text, withErrorHandling } from '../lib/http';

export async function poster(request: HttpRequest): Promise<HttpResponseInit> {
  // The body is read as UTF-8 text whatever the Content-Type says: the spec takes text/plain only,
  // and echoing bytes back as text is harmless for anything else.
  const body = await request.text();
  return text(200, `You posted: ${body}`);
}

export const posterFunction: HttpFunctionOptions = {
  methods: ['POST'],
  authLevel: 'function',
  route: 'poster',
  handler: withErrorHandling(poster),
};

app.http('poster', posterFunction);
