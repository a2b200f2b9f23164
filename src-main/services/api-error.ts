/** A refused API call: the user's request cannot be done as asked (the message says why). */
export class ApiError extends Error {
  override name = 'ApiError';
}
