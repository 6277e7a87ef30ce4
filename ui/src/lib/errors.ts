// One shape for every failure the UI shows: the engine's `{code, message}`
// when the backend answered, a plain message otherwise.
import { TransportError, type ApiError } from './transport/types';

/** `e` as an ApiError, whatever was thrown. */
export function asApiError(e: unknown): ApiError {
  if (e instanceof TransportError) return e.error;
  if (e instanceof Error) return { code: 'internal', message: e.message };
  return { code: 'internal', message: String(e) };
}

/** Whether `e` is a cancellation the user asked for (not worth a banner). */
export function isCancelled(e: unknown): boolean {
  return asApiError(e).code === 'cancelled';
}
