// Status errors for patch failures, with the codes the upstream apiserver (staging/.../handlers/patch.go) uses.
import { StatusError, errors } from '../../core/status.js';

/** A patch that is well-formed but cannot be applied: upstream's NewGenericServerResponse(422, ...). */
export function patchNotApplicable(detail: string): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ type: 'UnexpectedServerResponse', message: detail }],
  });
}

/** A patch document that is malformed: 400 BadRequest with the decoder's message. */
export function malformedPatch(detail: string): StatusError {
  return errors.badRequest(detail);
}
