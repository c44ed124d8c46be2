/**
 * What both call lanes (Gemini model calls in `gemini-routes.ts`, OpenAI calls in `openai-routes.ts`) do
 * around their handler on Node's own request and response: read the body with Express's reader (its size
 * limit and `Content-Encoding`), serve in the request's trace context, and answer a failure, unless the
 * client has left (then its socket is closed: nobody is there to read an answer).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { reenterRequestContext } from '../telemetry/context-store';
import { clientGone, clientLeft } from './client-gone';
import type { DrainDeadline } from './drain-deadline';

/**
 * Serves one call: `serve` runs once the body is read (on `req.body`), with the signal that aborts when the
 * client leaves or the drain time of a shutdown is up; `answerFailure` answers what it (or the reader) threw.
 */
export type ServeWithBody = (
  req: IncomingMessage,
  res: ServerResponse,
  closing: DrainDeadline | undefined,
  answerFailure: (error: unknown) => void,
  serve: (signal: AbortSignal) => Promise<void>,
) => void;

export function callLane(maxBodyBytes: number): ServeWithBody {
  const readBody = express.raw({ type: () => true, limit: maxBodyBytes });
  return (req, res, closing, answerFailure, serve) => {
    const signal = clientGone(res, closing);
    const fail = (error: unknown): void => {
      if (clientLeft(signal)) return void res.destroy();
      answerFailure(error);
    };
    readBody(req, res, (error?: unknown) => {
      if (error) return fail(error);
      // The body was read in its stream's callbacks, outside the request's trace context.
      reenterRequestContext(req, res, () => {
        serve(signal).catch(fail);
      });
    });
  };
}
